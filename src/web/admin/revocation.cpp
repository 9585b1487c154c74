// 失効 by an operator from the application page's certificate rows (CPIPCS 4.9): a form (any
// reason the CPS allows, keyCompromise's date), then a confirmation that says it cannot be undone,
// then app::revoke_certificate, which audits it and mails the institution. Issuers and admins
// only (Permission::issue), as `onshi admin certificates revoke`.
#include <fmt/format.h>

#include "app/ca/own_revocation.hpp"
#include "app/ca/revocation.hpp"
#include "app/core/dates_shown.hpp"
#include "app/core/form_values.hpp"
#include "app/office/pickup_desk.hpp"
#include "domain/calendar_date.hpp"
#include "domain/institution_code.hpp"
#include "util/text.hpp"
#include "web/admin/admin.hpp"
#include "web/errors.hpp"
#include "web/forms.hpp"

namespace onshi::web::admin {
namespace {

std::string path_of(std::string_view number) {
  return fmt::format("/admin/certificates/{}/revoke", url_encode(number));
}

app::RevocationRequest request_of(Ctx& ctx) {
  app::RevocationRequest r{ctx.param("number"), ctx.form().get("reason"), std::nullopt};
  const auto& since = ctx.form().get("compromised_since");
  if (!util::trim(since).empty()) r.compromised_since = since;
  return r;
}

// The certificate as the desk sees it, on both pages.
void set_certificate(Ctx& ctx, util::TemplateData& d, const app::PickupRecord& p) {
  const auto& m = ctx.services().messages;
  const auto& c = p.certificate;
  d.set("number", c.issuance_number);
  d.set("path", path_of(c.issuance_number));
  d.set("application_number", p.application_number);
  d.set("institution_name", p.institution_name);
  const auto code = domain::InstitutionCode::parse(p.institution_code);
  d.set("institution_code", code ? code->formatted() : p.institution_code);
  d.set("terminal", c.terminal);
  d.set("common_name", app::common_name_of(c.subject));
  d.set("serial", util::group_serial(c.serial_hex));
  d.set("status_label", status_label(ctx, domain::state_key(c.status)));
  d.set("validity",
        fmt::format("{} ～ {}", app::time_shown(m, c.not_before), app::time_shown(m, c.not_after)));
  d.set("picked_up_at", c.picked_up_at ? app::time_shown(m, *c.picked_up_at) : "未取得");
}

Response form_page(Ctx& ctx, const app::PickupRecord& p, const app::Failure* refusal) {
  util::TemplateData d;
  set_certificate(ctx, d, p);
  const auto& chosen = ctx.form().get("reason");
  util::TemplateData reasons{util::TemplateData::type::list};
  for (const auto r : app::operator_revocation_reasons()) {
    const std::string key(domain::reason_key(r));
    util::TemplateData o;
    o.set("value", key);
    o.set("label", ctx.message("revocation.reason." + key));
    o.set("code", std::to_string(static_cast<int>(r)));
    o.set("checked", key == chosen);
    reasons.push_back(o);
  }
  d.set("reasons", reasons);
  d.set("compromised_since", ctx.form().get("compromised_since"));
  d.set("today", domain::format_date(app::today_in_japan(ctx.services())));
  int status = 200;
  if (refusal) {
    status = http_status(refusal->code);
    ctx.add_errors(d, refusal->fields);
    if (refusal->fields.empty()) d.set("page_error", ctx.message(refusal->key));
  }
  return ctx.admin_page(status, "admin/revoke.html",
                        fmt::format("電子証明書の失効 {}", p.certificate.issuance_number), d);
}

Response confirmation(Ctx& ctx, const app::PickupRecord& p, const app::RevocationRequest& r) {
  util::TemplateData d;
  set_certificate(ctx, d, p);
  d.set("reason", r.reason);
  d.set("reason_label", ctx.message("revocation.reason." + std::string(util::trim(r.reason))));
  if (r.compromised_since) {
    d.set("compromised_since", *r.compromised_since);
    d.set("compromised_since_shown",
          app::date_shown(ctx.services().messages, util::trim(*r.compromised_since)));
  }
  return ctx.admin_page(200, "admin/confirm_revoke.html",
                        fmt::format("失効の確認 {}", p.certificate.issuance_number), d);
}

// The number's certificate, revocable now, or the page that says why not.
std::expected<app::PickupRecord, Response> revocable(Ctx& ctx) {
  auto p = app::pickup_record(ctx.services(), ctx.param("number"));
  if (!p) return std::unexpected(error_page(ctx, 404, "certificate.not_found"));
  const auto& c = p->certificate;
  if (c.revoked_at) return std::unexpected(error_page(ctx, 409, "certificate.already_revoked"));
  if (ctx.services().now_ms() >= c.not_after)
    return std::unexpected(error_page(ctx, 409, "certificate.already_expired"));
  return std::move(*p);
}

// GET /admin/certificates/{number}/revoke
Response show_form(Ctx& ctx) {
  auto p = revocable(ctx);
  if (!p) return std::move(p.error());
  return form_page(ctx, *p, nullptr);
}

// POST /admin/certificates/{number}/revoke: action confirm (the form), edit (back to it) or, with
// the confirmation's confirmed=1, revoke.
Response act(Ctx& ctx) {
  auto p = revocable(ctx);
  if (!p) return std::move(p.error());
  const auto request = request_of(ctx);
  const auto& action = ctx.form().get("action");
  if (action == "edit") return form_page(ctx, *p, nullptr);
  if (action != "revoke" || ctx.form().get("confirmed") != "1") {
    auto checked = app::check_revocation(ctx.services(), actor(ctx), request);
    if (!checked) return form_page(ctx, *p, &checked.error());
    return confirmation(ctx, *p, request);
  }
  auto revoked = app::revoke_certificate(ctx.services(), actor(ctx), request);
  if (!revoked) {
    if (revoked.error().is(app::FailureCode::invalid)) return form_page(ctx, *p, &revoked.error());
    return error_page(ctx, http_status(revoked.error().code), revoked.error().key);
  }
  return Response::redirect(fmt::format("/admin/applications/{}?done=revoke&certificate={}",
                                        url_encode(p->application_number),
                                        url_encode(revoked->issuance_number)));
}

}  // namespace

void add_revocation_routes(Routes& routes) {
  routes.push_back(get("/admin/certificates/{number}/revoke", show_form, Access::staff)
                       .needs(app::Permission::issue));
  routes.push_back(post("/admin/certificates/{number}/revoke", act, Access::staff, Body::form)
                       .needs(app::Permission::issue));
}

}  // namespace onshi::web::admin
