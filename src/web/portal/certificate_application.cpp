// 電子証明書発行申請 (the guide's step 3): 流れ → はい/いいえ → 入力 → 次へ → 閉じる →
// 発行申請成功.
#include <fmt/format.h>

#include "app/applications/certificate_applications.hpp"
#include "app/applications/mailing_address.hpp"
#include "app/applications/receipts.hpp"
#include "app/ca/issuance.hpp"
#include "app/core/dates_shown.hpp"
#include "app/office/notice_letters.hpp"
#include "domain/calendar_date.hpp"
#include "domain/certificate_application.hpp"
#include "domain/institution_code.hpp"
#include "util/clock.hpp"
#include "util/text.hpp"
#include "web/display.hpp"
#include "web/errors.hpp"
#include "web/portal/reference_api.hpp"
#include "web/problem.hpp"
#include "web/site.hpp"

namespace onshi::web {
namespace {

constexpr std::string_view kTitle = "電子証明書発行申請";
constexpr std::string_view kDetailPrefix = "/certificate-applications/";

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
          f.get("idempotency_key")};
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
  util::TemplateData municipalities{util::TemplateData::type::list};
  if (s.reference.regions.prefecture(chosen_prefecture)) {
    for (const auto& m : s.reference.regions.municipalities_in(chosen_prefecture)) {
      util::TemplateData o;
      o.set("value", m.code);
      o.set("label", m.name);
      o.set("selected", m.code == f.municipality);
      municipalities.push_back(o);
    }
  }
  d.set("municipalities", municipalities);
  d.set("address_filled_message", s.messages.get("mailing_address.filled"));
  // 所在地 follows these, so the form shows them in front of it as fixed text.
  if (const auto* p = s.reference.regions.prefecture(chosen_prefecture)) {
    d.set("address_prefecture", p->name);
    if (const auto* m = s.reference.regions.municipality(f.municipality);
        m && m->prefecture == chosen_prefecture) {
      d.set("address_municipality", m->name);
    }
  }
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

Response not_found(Ctx& ctx) {
  util::TemplateData d;
  d.set("message", ctx.message("certificate_form.not_found"));
  return ctx.page(404, "usage_refused.html", std::string(kTitle), d);
}

// 404, or 409: the application is no longer in a state that allows what was asked.
Response refused(Ctx& ctx, const app::Failure& f) {
  return failure_page(ctx, f, "usage_refused.html", std::string(kTitle));
}

Response flow(Ctx& ctx) {
  const auto estimate = app::notice_estimate(ctx.services());
  util::TemplateData d;
  d.set("applied_on", app::date_shown(ctx.services().messages, estimate.applied_on));
  d.set("expected_notice_on",
        app::date_shown(ctx.services().messages, estimate.expected_notice_on));
  return ctx.page(200, "certificate_flow.html", std::string(kTitle), d);
}

Response form_page(Ctx& ctx) {
  if (!app::has_usage_application(ctx.services(), ctx.user()->institution.id)) {
    util::TemplateData d;
    d.set("message", ctx.message("certificate_form.no_usage_application"));
    return ctx.page(200, "certificate_need_usage.html", std::string(kTitle), d);
  }
  return ctx.page(200, "certificate_form.html", std::string(kTitle),
                  form_data(ctx, app::certificate_form_for(ctx.services(), *ctx.user())));
}

Response form_again(Ctx& ctx, int status, const app::CertificateForm& f,
                    const app::FieldErrors& errors) {
  auto d = form_data(ctx, f);
  ctx.add_errors(d, errors);
  set_resubmission(ctx, d, ctx.form().get("resubmits"));
  return ctx.page(status, "certificate_form.html", std::string(kTitle), d);
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
  return ctx.page(200, "certificate_form.html", std::string(kTitle), d);
}

void set_checked(Ctx& ctx, util::TemplateData& d, const app::CheckedCertificateForm& c) {
  const auto* p = ctx.services().reference.regions.prefecture(c.prefecture);
  d.set("classification_label", ctx.message("classification." + c.classification));
  d.set("prefecture_label", fmt::format("{:02d} {}", c.prefecture, p ? p->name : ""));
  d.set("municipality_label", c.municipality_name);
  d.set("mailing_address", app::mailing_address(ctx.services(), c.prefecture, c.municipality_code,
                                                c.postal_code, c.address_line));
  d.set("addressee_name",
        ctx.services().messages.format("notice_letter.honorific", {c.contact_name}));
  const auto code = domain::InstitutionCode::parse(c.institution_code);
  d.set("institution_code_shown", code ? code->formatted() : c.institution_code);
  d.set("institution_name_shown", c.institution_name);
  d.set("department_shown", c.department);
  d.set("contact_name_shown", c.contact_name);
  d.set("phone_shown", c.phone);
  d.set("email_shown", c.email);
  d.set("signature_name_shown", c.signature_name);
  d.set("certificates_shown", std::to_string(c.certificates));
  d.set("fee_per_certificate_shown", util::group_thousands(c.fee.fee_per_certificate_yen));
  d.set("tax_rate_percent", std::to_string(c.fee.tax_rate_percent));
  d.set("subtotal_shown", util::group_thousands(c.fee.subtotal_yen));
  d.set("tax_shown", util::group_thousands(c.fee.tax_yen));
  d.set("total_shown", util::group_thousands(c.fee.total_yen));
  d.set("expected_notice_on", app::date_shown(ctx.services().messages, c.expected_notice_on));
}

Response confirm(Ctx& ctx) {
  const auto f = form_from_post(ctx.form());
  auto checked = app::check_certificate_form(ctx.services(), *ctx.user(), f);
  if (!checked) return form_again(ctx, 422, f, checked.error());
  util::TemplateData d;
  set_checked(ctx, d, *checked);
  for (const auto* name :
       {"classification", "prefecture", "municipality", "postal_code", "address_line",
        "institution_code", "institution_name", "department", "contact_name", "phone", "email",
        "signature_name", "certificates", "idempotency_key"}) {
    d.set(std::string("posted_") + name, ctx.form().get(name));
  }
  set_resubmission(ctx, d, ctx.form().get("resubmits"));
  return ctx.page(200, "certificate_confirm.html", std::string(kTitle), d);
}

Response submit(Ctx& ctx) {
  const auto f = form_from_post(ctx.form());
  if (const auto& number = ctx.form().get("resubmits"); !number.empty()) {
    auto again = app::resubmit_certificate_application(ctx.services(), *ctx.user(), number, f);
    if (!again) {
      if (again.error().is(app::FailureCode::invalid))
        return form_again(ctx, 422, f, again.error().fields);
      return refused(ctx, again.error());
    }
    return Response::redirect("/certificate-application/complete?number=" +
                              url_encode(again->application.number));
  }
  auto result = app::submit_certificate_application(ctx.services(), *ctx.user(), f);
  if (!result) {
    if (result.error().is(app::FailureCode::invalid))
      return form_again(ctx, 422, f, result.error().fields);
    return failure_page(ctx, result.error(), "certificate_need_usage.html", std::string(kTitle));
  }
  return Response::redirect("/certificate-application/complete?number=" +
                            url_encode(result->application.number));
}

void set_record(Ctx& ctx, util::TemplateData& d, const store::CertificateApplicationRecord& a) {
  d.set("number", a.number);
  const std::string state(domain::state_key(a.status));
  d.set("status_label", ctx.message("certificate_status." + state));
  d.set("next_step", ctx.message("certificate_next." + state));
  d.set("needs_action", domain::awaits_applicant(a.status));
  d.set("letter_expected", domain::notice_letter_expected(a.status));
  // An empty row tells nothing: 運営からの連絡 only when the operator wrote one.
  if (!a.status_note.empty()) d.set("status_note", a.status_note);
  d.set("applied_at", app::time_shown(ctx.services().messages, a.applied_at));
  d.set("expected_notice_on", app::date_shown(ctx.services().messages, a.expected_notice_on));
  d.set("certificates_shown", std::to_string(a.certificates));
  d.set("fee_per_certificate_shown", util::group_thousands(a.fee_per_certificate));
  d.set("tax_rate_percent", std::to_string(a.tax_rate_percent));
  d.set("subtotal_shown", util::group_thousands(a.subtotal_yen));
  d.set("tax_shown", util::group_thousands(a.tax_yen));
  d.set("total_shown", util::group_thousands(a.total_yen));
  d.set("institution_name_shown", a.institution_name);
  const auto code = domain::InstitutionCode::parse(a.institution_code);
  d.set("institution_code_shown", code ? code->formatted() : a.institution_code);
  d.set("department_shown", a.department);
  d.set("contact_name_shown", a.contact_name);
  d.set("phone_shown", a.phone);
  d.set("email_shown", a.email);
  d.set("signature_name_shown", a.signature_name);
  d.set("classification_label", ctx.message("classification." + a.classification));
  const auto* p = ctx.services().reference.regions.prefecture(a.prefecture);
  d.set("prefecture_label", fmt::format("{:02d} {}", a.prefecture, p ? p->name : ""));
  const auto* m = ctx.services().reference.regions.municipality(a.municipality_code);
  d.set("municipality_label", m ? m->name : a.municipality_code);
  // Applications saved before the form asked for 送付先 have none: no empty row for them.
  if (!a.postal_code.empty() || !a.address_line.empty()) {
    d.set("mailing_address", app::mailing_address(ctx.services(), a));
    d.set("addressee_name",
          ctx.services().messages.format("notice_letter.honorific", {a.contact_name}));
  }
}

Response complete(Ctx& ctx) {
  const auto query = Form::parse(ctx.request().query);
  const auto number = query ? query->get("number") : std::string();
  auto a = app::find_certificate_application(ctx.services(), ctx.user()->institution.id, number);
  if (!a) return not_found(ctx);
  util::TemplateData d;
  set_record(ctx, d, *a);
  return ctx.page(200, "certificate_complete.html", "発行申請成功", d);
}

// GET /certificate-applications/{number}/correct: the form, filled with what was sent, for a
// 差戻し application.
Response correct(Ctx& ctx) {
  const auto& number = ctx.param("number");
  auto f = app::form_for_correction(ctx.services(), *ctx.user(), number);
  if (!f) return refused(ctx, f.error());
  auto d = form_data(ctx, *f);
  set_resubmission(ctx, d, number);
  return ctx.page(200, "certificate_form.html", std::string(kTitle), d);
}

// The institution's application named by the path's {number}; another's looks like none.
std::optional<store::CertificateApplicationRecord> own_application(Ctx& ctx) {
  return app::find_certificate_application(ctx.services(), ctx.user()->institution.id,
                                           ctx.param("number"));
}

// GET /certificate-applications/{number}/receipt.pdf
Response receipt(Ctx& ctx) {
  const auto a = own_application(ctx);
  if (!a) return not_found(ctx);
  Response r =
      Response::text(200, "application/pdf", app::certificate_receipt_pdf(ctx.services(), *a));
  r.header("Content-Disposition", fmt::format("inline; filename=\"receipt-{}.pdf\"", a->number));
  r.header("Cache-Control", "no-store");
  return r;
}

// GET /certificate-applications/{number}
Response detail(Ctx& ctx) {
  const auto a = own_application(ctx);
  if (!a) return not_found(ctx);
  util::TemplateData d;
  set_record(ctx, d, *a);
  const auto query = Form::parse(ctx.request().query);
  d.set("cancelled_now", query && query->get("done") == "cancelled" &&
                             a->status == domain::CertificateApplicationState::cancelled);
  // What the clinic may still do is the domain's to say.
  d.set("can_cancel", domain::can_cancel(a->status));
  d.set("can_correct", domain::resubmit(a->status).has_value());
  if (auto letter = app::notice_letter_of(ctx.services(), a->id);
      letter && letter->tracking_number) {
    util::TemplateData mail;
    mail.set("mailed_on", japanese_date(ctx.services().messages, letter->mailed_on.value_or("")));
    mail.set("tracking_number", tracking_number_shown(*letter->tracking_number));
    d.set("mailed", mail);
  }
  return ctx.page(200, "certificate_detail.html", std::string(kTitle), d);
}

// GET /certificate-applications/{number}/cancel: 取下げ cannot be undone, so it is confirmed first.
Response confirm_cancel(Ctx& ctx) {
  const auto a = own_application(ctx);
  if (!a) return not_found(ctx);
  if (!domain::can_cancel(a->status)) {
    return refused(
        ctx, app::Failure::of(app::FailureCode::conflict, "certificate_form.too_late_to_cancel"));
  }
  util::TemplateData d;
  set_record(ctx, d, *a);
  return ctx.page(200, "certificate_cancel.html", "申請の取り下げ", d);
}

// POST /certificate-applications/{number}/cancel
Response cancel(Ctx& ctx) {
  const auto& number = ctx.param("number");
  auto result = app::cancel_certificate_application(ctx.services(), *ctx.user(), number);
  if (!result) return refused(ctx, result.error());
  return Response::redirect(std::string(kDetailPrefix) + url_encode(number) + "?done=cancelled");
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
  routes.push_back(get("/certificate-application/complete", complete, Access::clinic));
  routes.push_back(get("/certificate-applications/{number}", detail, Access::clinic));
  routes.push_back(get("/certificate-applications/{number}/receipt.pdf", receipt, Access::clinic));
  routes.push_back(get("/certificate-applications/{number}/correct", correct, Access::clinic));
  routes.push_back(
      get("/certificate-applications/{number}/cancel", confirm_cancel, Access::clinic));
  routes.push_back(
      post("/certificate-applications/{number}/cancel", cancel, Access::clinic, Body::form));
  // Any other path below the applications is one this institution has not.
  routes.push_back(get("/certificate-applications/{rest...}", not_found, Access::clinic));
  routes.push_back(
      post("/certificate-applications/{rest...}", not_found, Access::clinic, Body::form));
  add_reference_routes(routes);
}

}  // namespace onshi::web
