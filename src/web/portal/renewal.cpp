// 電子証明書の更新申請 from マイページ: choose the certificates and check the contact and the
// address (入力), 次へ (確認), 申請; then the same 更新申請成功 page and 申請受付票 as a first
// application. One URL takes the three posts (action confirm, edit, submit), so that a refusal
// shows the form again with what was chosen and typed kept and the message beside its field.
#include <fmt/format.h>

#include <algorithm>

#include "app/applications/mailing_address.hpp"
#include "app/applications/my_certificates.hpp"
#include "app/applications/renewal_applications.hpp"
#include "app/ca/pickup.hpp"
#include "app/core/dates_shown.hpp"
#include "app/core/form_values.hpp"
#include "app/core/messages.hpp"
#include "domain/calendar_date.hpp"
#include "domain/institution_code.hpp"
#include "util/text.hpp"
#include "web/errors.hpp"
#include "web/forms.hpp"
#include "web/portal/certificate_pages.hpp"

namespace onshi::web {
namespace {

constexpr std::string_view kPath = "/renewal";
constexpr std::string_view kTitle = "電子証明書の更新申請";

app::RenewalForm form_from_post(const Form& f) {
  app::RenewalForm r;
  for (const auto& typed : f.all("certificate")) {
    const auto n = app::normalize_issuance_number(typed);
    r.certificates.push_back(n.empty() ? typed : n);
  }
  r.municipality = f.get("municipality");
  r.postal_code = f.get("postal_code");
  r.address_line = f.get("address_line");
  r.department = f.get("department");
  r.contact_name = f.get("contact_name");
  r.phone = f.get("phone");
  r.email = f.get("email");
  r.idempotency_key = app::idempotency_key_of(f.get("idempotency_key"));
  r.payment_method = f.get("payment_method");
  return r;
}

// 分類, 医療機関コード, 名称, 署名名称: carried on from the last application, shown, not typed.
void set_fixed(Ctx& ctx, util::TemplateData& d, const store::CertificateApplicationRecord& last) {
  d.set("classification_label", ctx.message("classification." + last.classification));
  const auto code = domain::InstitutionCode::parse(last.institution_code);
  d.set("institution_code_shown", code ? code->formatted() : last.institution_code);
  d.set("institution_name_shown", last.institution_name);
  d.set("signature_name_shown", last.signature_name);
  const auto* p = ctx.services().reference.regions.prefecture(last.prefecture);
  d.set("prefecture_label", fmt::format("{:02d} {}", last.prefecture, p ? p->name : ""));
}

// The fee of `count` certificates today, as the form and the confirmation show it.
void set_fee(Ctx& ctx, util::TemplateData& d, int count) {
  const auto& s = ctx.services();
  const auto today = app::today_in_japan(s);
  d.set("fee_count", std::to_string(count));
  if (auto rate = s.reference.fees.lookup(today)) {
    d.set("fee_per_certificate", std::to_string(rate->fee_per_certificate_yen));
    d.set("fee_per_certificate_shown", util::group_thousands(rate->fee_per_certificate_yen));
    d.set("tax_rate_percent", std::to_string(rate->tax_rate_percent));
  }
  // None chosen: a dash, as the page script shows it, not an empty amount.
  for (const auto* name : {"subtotal_shown", "tax_shown", "total_shown"}) d.set(name, "-");
  if (auto q = s.reference.fees.quote(today, count); q && count > 0) {
    d.set("subtotal_shown", util::group_thousands(q->subtotal_yen));
    d.set("tax_shown", util::group_thousands(q->tax_yen));
    d.set("total_shown", util::group_thousands(q->total_yen));
  }
}

// The form with what was chosen and typed; `refusal`'s messages beside their fields, or
// `filled` (郵便番号から住所を入力 done) in the postcode's status line.
Response form_page(Ctx& ctx, int status, const app::RenewalForm& f, const app::Failure* refusal,
                   const std::string& filled = "") {
  const auto& s = ctx.services();
  const auto last = app::last_certificate_application(s, ctx.user()->institution.id);
  if (!last) {
    const auto none =
        app::Failure::of(app::FailureCode::conflict, "renewal.no_previous_application");
    return failure_page(ctx, none, "usage_refused.html", std::string(kTitle));
  }
  util::TemplateData d;
  set_fixed(ctx, d, *last);
  util::TemplateData rows{util::TemplateData::type::list};
  int chosen = 0;
  for (const auto& c : app::renewable_certificates(s, ctx.user()->institution.id)) {
    auto row = certificate_row_data(ctx, c);
    const bool checked =
        std::ranges::find(f.certificates, c.issuance_number) != f.certificates.end();
    chosen += checked ? 1 : 0;
    row.set("checked", checked);
    row.set("not_after_shown", app::time_shown(s.messages, c.not_after));
    rows.push_back(row);
  }
  d.set("certificates", rows);
  d.set("none_renewable", rows.is_empty_list());
  set_fee(ctx, d, chosen);
  set_address_choices(ctx, d, last->prefecture, f.municipality);
  set_payment_method_choices(ctx, d, f.payment_method);
  d.set("prefecture_code", std::to_string(last->prefecture));
  d.set("postcode_action", std::string(kPath));
  d.set("address_filled", filled);
  d.set("renewing", true);
  for (const auto& [name, value] : {std::pair{"postal_code", f.postal_code},
                                    {"address_line", f.address_line},
                                    {"department", f.department},
                                    {"contact_name", f.contact_name},
                                    {"phone", f.phone},
                                    {"email", f.email},
                                    {"idempotency_key", f.idempotency_key}}) {
    d.set(name, value);
  }
  d.set("overlap_days", std::to_string(s.config.renewal_overlap_days));
  d.set("window_days", std::to_string(app::kRenewalWindowDays));
  d.set("validity", app::period_in_months(s.messages, s.config.terminal_validity_months));
  if (refusal) {
    ctx.add_errors(d, refusal->fields);
    // Each certificate at fault has its own line beside the list, not only the first.
    util::TemplateData messages{util::TemplateData::type::list};
    for (const auto& e : refusal->fields) {
      if (e.field == "certificates") messages.push_back(s.messages.format(e.key, e.args));
    }
    d.set("certificates_errors", messages);
    d.set("certificates_invalid", !messages.is_empty_list());
    if (refusal->fields.empty()) d.set("page_error", ctx.message(refusal->key));
  }
  return ctx.page(status, "renewal_form.html", std::string(kTitle), d);
}

Response confirmation(Ctx& ctx, const app::RenewalForm& f, const app::CheckedRenewal& c) {
  const auto& s = ctx.services();
  util::TemplateData d;
  util::TemplateData list{util::TemplateData::type::list};
  for (const auto& cert : c.certificates) {
    util::TemplateData r;
    r.set("terminal", cert.terminal);
    r.set("issuance_number", cert.issuance_number);
    r.set("serial", util::group_serial(cert.serial_hex));
    r.set("not_after_shown", app::time_shown(s.messages, cert.not_after));
    list.push_back(r);
  }
  d.set("certificates", list);
  set_application_facts(ctx, d, c.form);
  d.set("renewing", true);
  d.set("overlap_days", std::to_string(s.config.renewal_overlap_days));
  util::TemplateData numbers{util::TemplateData::type::list};
  for (const auto& cert : c.certificates) numbers.push_back(cert.issuance_number);
  d.set("numbers", numbers);
  for (const auto& [name, value] : {std::pair{"municipality", f.municipality},
                                    {"postal_code", f.postal_code},
                                    {"address_line", f.address_line},
                                    {"department", f.department},
                                    {"contact_name", f.contact_name},
                                    {"phone", f.phone},
                                    {"email", f.email},
                                    {"idempotency_key", f.idempotency_key},
                                    {"payment_method", f.payment_method}}) {
    d.set(std::string("posted_") + name, value);
  }
  return ctx.page(200, "renewal_confirm.html", "電子証明書の更新申請の確認", d);
}

// GET /renewal: every renewable certificate chosen, the rest from the last application.
Response show_form(Ctx& ctx) {
  auto f = app::renewal_form_for(ctx.services(), *ctx.user());
  if (!f) return failure_page(ctx, f.error(), "usage_refused.html", std::string(kTitle));
  return form_page(ctx, 200, *f, nullptr);
}

// POST /renewal
Response act(Ctx& ctx) {
  const auto f = form_from_post(ctx.form());
  const auto& action = ctx.form().get("action");
  if (action == "confirm") {
    auto checked = app::check_renewal(ctx.services(), *ctx.user(), f);
    if (!checked) return form_page(ctx, http_status(checked.error().code), f, &checked.error());
    return confirmation(ctx, f, *checked);
  }
  if (action == "postcode") {
    auto filled = app::fill_renewal_from_postcode(ctx.services(), *ctx.user(), f);
    if (!filled.errors.empty()) {
      const auto refusal = app::Failure::invalid(std::move(filled.errors));
      return form_page(ctx, 422, filled.form, &refusal);
    }
    return form_page(
        ctx, 200, filled.form, nullptr,
        ctx.services().messages.format("mailing_address.filled", {filled.form.postal_code}));
  }
  if (action != "submit") return form_page(ctx, 200, f, nullptr);
  auto done = app::submit_renewal_application(ctx.services(), *ctx.user(), f);
  if (!done) return form_page(ctx, http_status(done.error().code), f, &done.error());
  return Response::redirect("/certificate-application/complete?number=" +
                            url_encode(done->application.number));
}

}  // namespace

void add_renewal_routes(Routes& routes) {
  routes.push_back(get(std::string(kPath), show_form, Access::clinic));
  routes.push_back(post(std::string(kPath), act, Access::clinic, Body::form));
}

}  // namespace onshi::web
