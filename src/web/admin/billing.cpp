// 発行料 in the back office (admin): 月次締め of a month (once; again shows the same files), the
// deduction CSV and the invoices of each close, and 入金の記録 against an invoice.
#include <fmt/format.h>

#include "app/billing/billing.hpp"
#include "app/core/dates_shown.hpp"
#include "app/core/form_values.hpp"
#include "domain/calendar_date.hpp"
#include "util/text.hpp"
#include "web/admin/admin.hpp"
#include "web/errors.hpp"
#include "web/forms.hpp"

namespace onshi::web::admin {
namespace {

constexpr std::string_view kPath = "/admin/billing";
constexpr std::string_view kTitle = "発行料・月次締め";

// The month that ended last, in Japan: what an operator closes at the start of a month.
std::string last_month(Ctx& ctx) {
  const auto today = app::today_in_japan(ctx.services());
  const auto ym = today.year() / today.month() - std::chrono::months{1};
  return fmt::format("{:04d}-{:02d}", static_cast<int>(ym.year()),
                     static_cast<unsigned>(ym.month()));
}

Response list_page(Ctx& ctx, int status, const app::FieldErrors& errors = {},
                   const std::string& error = {}) {
  const auto& m = ctx.services().messages;
  util::TemplateData d;
  util::TemplateData rows{util::TemplateData::type::list};
  const auto closes = app::billing_closes(ctx.services());
  const auto names = operator_names(ctx);
  for (const auto& c : closes) {
    util::TemplateData r;
    r.set("month", c.month);
    r.set("closed_at", app::time_shown(m, c.closed_at));
    r.set("closed_by", actor_label(names, c.closed_by));
    r.set("charges", std::to_string(c.charges));
    r.set("due_on", app::date_shown(m, c.due_on));
    rows.push_back(r);
  }
  d.set("closes", rows);
  d.set("no_closes", closes.empty());
  const auto typed = ctx.form().get("month");
  d.set("month", typed.empty() ? last_month(ctx) : typed);
  ctx.add_errors(d, errors);
  if (!error.empty()) d.set("close_error", error);
  return ctx.admin_page(status, "admin/billing.html", std::string(kTitle), d);
}

Response show(Ctx& ctx) {
  return list_page(ctx, 200);
}

Response close_month(Ctx& ctx) {
  auto r = app::close_billing_month(ctx.services(), actor(ctx), ctx.form().get("month"));
  if (!r) {
    const auto& f = r.error();
    if (f.is(app::FailureCode::invalid)) return list_page(ctx, 422, f.fields);
    // A month that may not be closed (not over, before a later close) is the field's fault: the
    // operator corrects the month, so the reason stands beside it.
    if (f.key == "billing.month_not_over" || f.key == "billing.after_later_close")
      return list_page(ctx, http_status(f.code), {{"month", f.key}});
    return list_page(ctx, http_status(f.code), {}, ctx.message(f.key));
  }
  return Response::redirect(
      fmt::format("{}/{}?done={}", kPath, r->close.month, r->repeated ? "repeated" : "closed"));
}

Response month_page(Ctx& ctx, int status, const std::string& refused_number = {},
                    const app::FieldErrors& errors = {}) {
  const auto& s = ctx.services();
  const auto c = app::find_billing_close(s, ctx.param("month"));
  if (!c) return error_page(ctx, 404, "billing.bad_month");
  util::TemplateData d;
  d.set("month", c->close.month);
  d.set("closed_at", app::time_shown(s.messages, c->close.closed_at));
  d.set("closed_by", actor_label(operator_names(ctx), c->close.closed_by));
  d.set("charges", std::to_string(c->close.charges));
  d.set("issued_on", app::date_shown(s.messages, c->close.issued_on));
  d.set("due_on", app::date_shown(s.messages, c->close.due_on));
  util::TemplateData rows{util::TemplateData::type::list};
  for (std::size_t k = 0; k < c->invoices.size(); ++k) {
    const auto& i = c->invoices[k];
    util::TemplateData r;
    r.set("number", i.number);
    r.set("institution_name", c->institution_names.at(k));
    r.set("items", std::to_string(i.items));
    r.set("subtotal", util::group_thousands(i.subtotal_yen));
    r.set("tax", util::group_thousands(i.tax_yen));
    r.set("total", util::group_thousands(i.total_yen));
    r.set("received", util::group_thousands(i.received_yen));
    r.set("paid", i.received_yen >= i.total_yen);
    r.set("received_on", domain::format_date(app::today_in_japan(s)));
    if (i.number == refused_number) {
      r.set("amount", ctx.form().get("amount"));
      r.set("received_on", ctx.form().get("received_on"));
      for (const auto& e : errors) r.set(e.field + "_error", s.messages.format(e.key, e.args));
    }
    rows.push_back(r);
  }
  d.set("invoices", rows);
  d.set("no_invoices", c->invoices.empty());
  // The summary's links go to the refused invoice's own fields (amount_NUMBER, …).
  app::FieldErrors summary;
  for (const auto& e : errors) summary.push_back({e.field + "_" + refused_number, e.key, e.args});
  ctx.add_errors(d, summary);
  const Form q = query(ctx);
  d.set("done_closed", q.get("done") == "closed");
  d.set("done_repeated", q.get("done") == "repeated");
  if (q.get("done") == "paid") d.set("done_paid", q.get("number"));
  return ctx.admin_page(status, "admin/billing_close.html",
                        fmt::format("{} {}", kTitle, c->close.month), d);
}

Response show_month(Ctx& ctx) {
  return month_page(ctx, 200);
}

Response deduction_csv(Ctx& ctx) {
  const auto c = app::find_billing_close(ctx.services(), ctx.param("month"));
  if (!c) return error_page(ctx, 404, "billing.bad_month");
  Response r = Response::text(200, "text/csv; charset=utf-8", c->close.deduction_csv);
  r.header("Content-Disposition",
           fmt::format("attachment; filename=\"deduction-{}.csv\"", c->close.month));
  r.header("Cache-Control", "no-store");
  return r;
}

Response invoice_pdf(Ctx& ctx) {
  auto i = app::find_invoice(ctx.services(), ctx.param("number"));
  if (!i) return error_page(ctx, 404, "billing.no_such_invoice");
  Response r = Response::text(200, "application/pdf", std::move(i->pdf));
  r.header("Content-Disposition", fmt::format("inline; filename=\"invoice-{}.pdf\"", i->number));
  r.header("Cache-Control", "no-store");
  return r;
}

Response record_payment(Ctx& ctx) {
  // A copy: set_params below replaces what ctx.param refers to.
  const std::string number = ctx.param("number");
  auto r = app::record_payment(ctx.services(), actor(ctx), number, ctx.form().get("amount"),
                               ctx.form().get("received_on"));
  const auto invoice = app::find_invoice(ctx.services(), number);
  if (!invoice) return error_page(ctx, 404, "billing.no_such_invoice");
  if (!r) {
    if (r.error().is(app::FailureCode::invalid)) {
      ctx.set_params({{"month", invoice->month}, {"number", number}});
      return month_page(ctx, 422, number, r.error().fields);
    }
    return error_page(ctx, http_status(r.error().code), r.error().key);
  }
  return Response::redirect(
      fmt::format("{}/{}?done=paid&number={}", kPath, invoice->month, url_encode(number)));
}

}  // namespace

void add_billing_routes(Routes& routes) {
  using app::Permission;
  routes.push_back(get(std::string(kPath), show, Access::staff).needs(Permission::billing));
  routes.push_back(post(std::string(kPath) + "/close", close_month, Access::staff, Body::form)
                       .needs(Permission::billing));
  routes.push_back(
      get(std::string(kPath) + "/invoices/{number}/invoice.pdf", invoice_pdf, Access::staff)
          .needs(Permission::billing));
  routes.push_back(post(std::string(kPath) + "/invoices/{number}/payments", record_payment,
                        Access::staff, Body::form)
                       .needs(Permission::billing));
  routes.push_back(get(std::string(kPath) + "/{month}/deduction.csv", deduction_csv, Access::staff)
                       .needs(Permission::billing));
  routes.push_back(
      get(std::string(kPath) + "/{month}", show_month, Access::staff).needs(Permission::billing));
}

}  // namespace onshi::web::admin
