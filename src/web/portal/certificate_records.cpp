// 電子証明書発行申請 once sent: 発行申請成功, the detail page with 次にすること, the 申請受付票 PDF
// and 取下げ (confirmed on a page of its own first).
#include <fmt/format.h>

#include "app/applications/certificate_applications.hpp"
#include "app/applications/mailing_address.hpp"
#include "app/applications/receipts.hpp"
#include "app/core/dates_shown.hpp"
#include "app/office/notice_letters.hpp"
#include "domain/certificate_application.hpp"
#include "domain/institution_code.hpp"
#include "util/text.hpp"
#include "web/display.hpp"
#include "web/forms.hpp"
#include "web/portal/certificate_pages.hpp"

namespace onshi::web {
namespace {

constexpr std::string_view kDetailPrefix = "/certificate-applications/";

void set_record(Ctx& ctx, util::TemplateData& d, const store::CertificateApplicationRecord& a) {
  d.set("number", a.number);
  d.set("renewal", a.kind == store::ApplicationKind::renewal);
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
  d.set("payment_method_shown",
        ctx.message("payment_method." + std::string(store::payment_method_name(a.payment_method))));
  d.set("payment_by_transfer", a.payment_method == store::PaymentMethod::transfer);
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
  if (!a) return certificate_not_found(ctx);
  util::TemplateData d;
  set_record(ctx, d, *a);
  return ctx.page(200, "certificate_complete.html",
                  a->kind == store::ApplicationKind::renewal ? "更新申請成功" : "発行申請成功", d);
}

// The institution's application named by the path's {number}; another's looks like none.
std::optional<store::CertificateApplicationRecord> own_application(Ctx& ctx) {
  return app::find_certificate_application(ctx.services(), ctx.user()->institution.id,
                                           ctx.param("number"));
}

// GET /certificate-applications/{number}/receipt.pdf
Response receipt(Ctx& ctx) {
  const auto a = own_application(ctx);
  if (!a) return certificate_not_found(ctx);
  Response r =
      Response::text(200, "application/pdf", app::certificate_receipt_pdf(ctx.services(), *a));
  r.header("Content-Disposition", fmt::format("inline; filename=\"receipt-{}.pdf\"", a->number));
  r.header("Cache-Control", "no-store");
  return r;
}

// GET /certificate-applications/{number}
Response detail(Ctx& ctx) {
  const auto a = own_application(ctx);
  if (!a) return certificate_not_found(ctx);
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
  return ctx.page(200, "certificate_detail.html", std::string(kCertificateTitle), d);
}

// GET /certificate-applications/{number}/cancel: 取下げ cannot be undone, so it is confirmed first.
Response confirm_cancel(Ctx& ctx) {
  const auto a = own_application(ctx);
  if (!a) return certificate_not_found(ctx);
  if (!domain::can_cancel(a->status)) {
    return certificate_refused(
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
  if (!result) return certificate_refused(ctx, result.error());
  return Response::redirect(std::string(kDetailPrefix) + url_encode(number) + "?done=cancelled");
}

}  // namespace

void add_certificate_record_routes(Routes& routes) {
  routes.push_back(get("/certificate-application/complete", complete, Access::clinic));
  routes.push_back(get("/certificate-applications/{number}", detail, Access::clinic));
  routes.push_back(get("/certificate-applications/{number}/receipt.pdf", receipt, Access::clinic));
  routes.push_back(
      get("/certificate-applications/{number}/cancel", confirm_cancel, Access::clinic));
  routes.push_back(
      post("/certificate-applications/{number}/cancel", cancel, Access::clinic, Body::form));
}

}  // namespace onshi::web
