// マイページ「発行料・請求書」: the institution's charges and invoices, and each invoice's PDF
// (only its own: another institution's number answers as one that does not exist).
#include <fmt/format.h>

#include "app/billing/billing.hpp"
#include "app/core/dates_shown.hpp"
#include "util/text.hpp"
#include "web/portal/certificate_pages.hpp"
#include "web/site.hpp"

namespace onshi::web {
namespace {

std::string month_shown(Ctx& ctx, const std::string& month) {
  return ctx.services().messages.format(
      "invoice.month_value", {month.substr(0, 4), std::to_string(std::stoi(month.substr(5, 2)))});
}

Response billing_page(Ctx& ctx) {
  const auto& m = ctx.services().messages;
  const auto b = app::billing_of_institution(ctx.services(), ctx.user()->institution.id);
  util::TemplateData d;
  util::TemplateData invoices{util::TemplateData::type::list};
  for (const auto& i : b.invoices) {
    util::TemplateData r;
    r.set("number", i.number);
    r.set("month", month_shown(ctx, i.month));
    r.set("items", std::to_string(i.items));
    r.set("total", util::group_thousands(i.total_yen));
    r.set("due_on", app::date_shown(m, i.due_on));
    r.set("paid", i.received_yen >= i.total_yen);
    if (i.received_yen > 0) r.set("received", util::group_thousands(i.received_yen));
    invoices.push_back(r);
  }
  d.set("invoices", invoices);
  d.set("no_invoices", b.invoices.empty());
  util::TemplateData charges{util::TemplateData::type::list};
  for (const auto& c : b.charges) {
    util::TemplateData r;
    r.set("issuance_number", c.issuance_number);
    r.set("kind", m.get("billing.kind." + std::string(store::charge_kind_name(c.kind))));
    r.set("issued_on", app::date_shown(m, c.issued_on));
    r.set("fee", util::group_thousands(c.fee_yen));
    r.set("tax_rate_percent", std::to_string(c.tax_rate_percent));
    r.set("payment_method",
          m.get("payment_method." + std::string(store::payment_method_name(c.payment_method))));
    r.set("status", m.get(c.close_id ? "billing.status.billed" : "billing.status.unbilled"));
    charges.push_back(r);
  }
  d.set("charges", charges);
  d.set("no_charges", b.charges.empty());
  return ctx.page(200, "billing.html", "発行料・請求書", d);
}

// GET /mypage/invoices/{number}/invoice.pdf
Response invoice_pdf(Ctx& ctx) {
  auto i = app::find_own_invoice(ctx.services(), ctx.user()->institution.id, ctx.param("number"));
  if (!i) {
    util::TemplateData d;
    d.set("message", ctx.message("billing.no_such_invoice"));
    return ctx.page(404, "usage_refused.html", "発行料・請求書", d);
  }
  Response r = Response::text(200, "application/pdf", std::move(i->pdf));
  r.header("Content-Disposition", fmt::format("inline; filename=\"invoice-{}.pdf\"", i->number));
  r.header("Cache-Control", "no-store");
  return r;
}

}  // namespace

void add_billing_page_routes(Routes& routes) {
  routes.push_back(get("/mypage/billing", billing_page, Access::clinic));
  routes.push_back(get("/mypage/invoices/{number}/invoice.pdf", invoice_pdf, Access::clinic));
}

}  // namespace onshi::web
