// 電子証明書発行申請 (the guide's step 3): 流れ → はい/いいえ → 入力 → 次へ → 閉じる →
// 発行申請成功.
#include <fmt/format.h>

#include "app/applications/certificate_applications.hpp"
#include "app/applications/mailing_address.hpp"
#include "app/core/dates_shown.hpp"
#include "domain/calendar_date.hpp"
#include "domain/certificate_application.hpp"
#include "util/text.hpp"
#include "web/errors.hpp"
#include "web/portal/certificate_pages.hpp"
#include "web/portal/reference_api.hpp"
#include "web/problem.hpp"
#include "web/site.hpp"

namespace onshi::web {

Response certificate_not_found(Ctx& ctx) {
  util::TemplateData d;
  d.set("message", ctx.message("certificate_form.not_found"));
  return ctx.page(404, "usage_refused.html", std::string(kCertificateTitle), d);
}

Response certificate_refused(Ctx& ctx, const app::Failure& f) {
  return failure_page(ctx, f, "usage_refused.html", std::string(kCertificateTitle));
}

namespace {

app::CertificateForm form_from_post(const Form& f) {
  return {f.get("classification"),
          f.get("prefecture"),
          f.get("municipality"),
          f.get("postal_code"),
          f.get("address_line"),
          f.get("institution_code"),
          f.get("institution_name"),
          f.get("department"),
          f.get("contact_name"),
          f.get("phone"),
          f.get("email"),
          f.get("signature_name"),
          f.get("certificates"),
          f.get("idempotency_key"),
          f.get("payment_method")};
}

util::TemplateData form_data(Ctx& ctx, const app::CertificateForm& f) {
  const auto& s = ctx.services();
  util::TemplateData d;
  util::TemplateData classes{util::TemplateData::type::list};
  for (const auto& c : app::certificate_classifications()) {
    util::TemplateData o;
    o.set("value", c);
    o.set("label", ctx.message("classification." + c));
    o.set("selected", c == f.classification);
    classes.push_back(o);
  }
  d.set("classifications", classes);
  int chosen_prefecture = 0;
  try {
    chosen_prefecture = std::stoi(f.prefecture);
  } catch (const std::exception&) {
    chosen_prefecture = 0;
  }
  util::TemplateData prefectures{util::TemplateData::type::list};
  for (int code = 1; code <= 47; ++code) {
    const auto* p = s.reference.regions.prefecture(code);
    if (!p) continue;
    util::TemplateData o;
    o.set("value", std::to_string(code));
    o.set("label", fmt::format("{:02d} {}", code, p->name));
    o.set("selected", code == chosen_prefecture);
    prefectures.push_back(o);
  }
  d.set("prefectures", prefectures);
  // Only the chosen prefecture's municipalities: the page script reloads them when it changes.
  set_address_choices(ctx, d, chosen_prefecture, f.municipality);
  for (const auto& [name, value] : {std::pair{"postal_code", f.postal_code},
                                    {"address_line", f.address_line},
                                    {"institution_code", f.institution_code},
                                    {"institution_name", f.institution_name},
                                    {"department", f.department},
                                    {"contact_name", f.contact_name},
                                    {"phone", f.phone},
                                    {"email", f.email},
                                    {"signature_name", f.signature_name},
                                    {"certificates", f.certificates},
                                    {"idempotency_key", f.idempotency_key}}) {
    d.set(name, value);
  }
  set_payment_method_choices(ctx, d, f.payment_method);
  d.set("postcode_action", "/certificate-application/postcode");
  // The fee in effect today, for the live total the page script shows.
  const auto estimate = app::notice_estimate(s);
  if (auto date = domain::parse_date(estimate.applied_on)) {
    if (auto rate = s.reference.fees.lookup(*date)) {
      d.set("fee_per_certificate", std::to_string(rate->fee_per_certificate_yen));
      d.set("fee_per_certificate_shown", util::group_thousands(rate->fee_per_certificate_yen));
      d.set("tax_rate_percent", std::to_string(rate->tax_rate_percent));
      int n = 0;
      try {
        n = std::stoi(f.certificates);
      } catch (const std::exception&) {
        n = 0;
      }
      if (auto q = s.reference.fees.quote(*date, n)) {
        d.set("subtotal_shown", util::group_thousands(q->subtotal_yen));
        d.set("tax_shown", util::group_thousands(q->tax_yen));
        d.set("total_shown", util::group_thousands(q->total_yen));
      }
    }
  }
  return d;
}

// 再申請 of a 差戻し application: the form and the confirmation carry its number, and show why it
// was returned. Nothing is set for a first application or a number that is not the user's.
void set_resubmission(Ctx& ctx, util::TemplateData& d, const std::string& number) {
  if (number.empty()) return;
  const auto a =
      app::find_certificate_application(ctx.services(), ctx.user()->institution.id, number);
  if (!a) return;
  util::TemplateData r;
  r.set("number", a->number);
  r.set("note", a->status_note);
  d.set("resubmission", r);
}

Response flow(Ctx& ctx) {
  const auto estimate = app::notice_estimate(ctx.services());
  util::TemplateData d;
  d.set("applied_on", app::date_shown(ctx.services().messages, estimate.applied_on));
  d.set("expected_notice_on",
        app::date_shown(ctx.services().messages, estimate.expected_notice_on));
  return ctx.page(200, "certificate_flow.html", std::string(kCertificateTitle), d);
}

Response form_page(Ctx& ctx) {
  if (!app::has_usage_application(ctx.services(), ctx.user()->institution.id)) {
    util::TemplateData d;
    d.set("message", ctx.message("certificate_form.no_usage_application"));
    return ctx.page(200, "certificate_need_usage.html", std::string(kCertificateTitle), d);
  }
  return ctx.page(200, "certificate_form.html", std::string(kCertificateTitle),
                  form_data(ctx, app::certificate_form_for(ctx.services(), *ctx.user())));
}

Response form_again(Ctx& ctx, int status, const app::CertificateForm& f,
                    const app::FieldErrors& errors) {
  auto d = form_data(ctx, f);
  ctx.add_errors(d, errors);
  set_resubmission(ctx, d, ctx.form().get("resubmits"));
  return ctx.page(status, "certificate_form.html", std::string(kCertificateTitle), d);
}

Response edit(Ctx& ctx) {
  return form_again(ctx, 200, form_from_post(ctx.form()), {});
}

// 郵便番号から住所を入力 without the page script: the same form, 都道府県, 市区町村 and 町域 set
// from the postcode, nothing saved; or the form as typed with the reason beside 郵便番号.
Response fill_address(Ctx& ctx) {
  auto filled = app::fill_from_postcode(ctx.services(), form_from_post(ctx.form()));
  if (!filled.errors.empty()) return form_again(ctx, 422, filled.form, filled.errors);
  auto d = form_data(ctx, filled.form);
  d.set("address_filled",
        ctx.services().messages.format("mailing_address.filled", {filled.form.postal_code}));
  set_resubmission(ctx, d, ctx.form().get("resubmits"));
  return ctx.page(200, "certificate_form.html", std::string(kCertificateTitle), d);
}

Response confirm(Ctx& ctx) {
  const auto f = form_from_post(ctx.form());
  auto checked = app::check_certificate_form(ctx.services(), *ctx.user(), f);
  if (!checked) return form_again(ctx, 422, f, checked.error());
  util::TemplateData d;
  set_application_facts(ctx, d, *checked);
  for (const auto* name :
       {"classification", "prefecture", "municipality", "postal_code", "address_line",
        "institution_code", "institution_name", "department", "contact_name", "phone", "email",
        "signature_name", "certificates", "idempotency_key", "payment_method"}) {
    d.set(std::string("posted_") + name, ctx.form().get(name));
  }
  set_resubmission(ctx, d, ctx.form().get("resubmits"));
  return ctx.page(200, "certificate_confirm.html", std::string(kCertificateTitle), d);
}

Response submit(Ctx& ctx) {
  const auto f = form_from_post(ctx.form());
  if (const auto& number = ctx.form().get("resubmits"); !number.empty()) {
    auto again = app::resubmit_certificate_application(ctx.services(), *ctx.user(), number, f);
    if (!again) {
      if (again.error().is(app::FailureCode::invalid))
        return form_again(ctx, 422, f, again.error().fields);
      return certificate_refused(ctx, again.error());
    }
    return Response::redirect("/certificate-application/complete?number=" +
                              url_encode(again->application.number));
  }
  auto result = app::submit_certificate_application(ctx.services(), *ctx.user(), f);
  if (!result) {
    if (result.error().is(app::FailureCode::invalid))
      return form_again(ctx, 422, f, result.error().fields);
    return failure_page(ctx, result.error(), "certificate_need_usage.html",
                        std::string(kCertificateTitle));
  }
  return Response::redirect("/certificate-application/complete?number=" +
                            url_encode(result->application.number));
}

// GET /certificate-applications/{number}/correct: the form, filled with what was sent, for a
// 差戻し application.
Response correct(Ctx& ctx) {
  const auto& number = ctx.param("number");
  auto f = app::form_for_correction(ctx.services(), *ctx.user(), number);
  if (!f) return certificate_refused(ctx, f.error());
  auto d = form_data(ctx, *f);
  set_resubmission(ctx, d, number);
  return ctx.page(200, "certificate_form.html", std::string(kCertificateTitle), d);
}

}  // namespace

void add_certificate_routes(Routes& routes) {
  routes.push_back(get("/certificate-application", flow, Access::clinic));
  routes.push_back(get("/certificate-application/form", form_page, Access::clinic));
  routes.push_back(post("/certificate-application/edit", edit, Access::clinic, Body::form));
  routes.push_back(
      post("/certificate-application/postcode", fill_address, Access::clinic, Body::form));
  routes.push_back(post("/certificate-application/confirm", confirm, Access::clinic, Body::form));
  routes.push_back(post("/certificate-application/submit", submit, Access::clinic, Body::form));
  routes.push_back(get("/certificate-applications/{number}/correct", correct, Access::clinic));
  add_certificate_record_routes(routes);
  // Any other path below the applications is one this institution has not.
  routes.push_back(
      get("/certificate-applications/{rest...}", certificate_not_found, Access::clinic));
  routes.push_back(post("/certificate-applications/{rest...}", certificate_not_found,
                        Access::clinic, Body::form));
  add_reference_routes(routes);
}

}  // namespace onshi::web
