// 取得ロックを解除: a certificate whose pickup locked after too many wrong codes, unlocked by the
// desk once it has made sure who is calling. Confirmed on a page of its own first, as the other
// actions that change what a clinic can do; app::unlock_pickup records the audit entry.
#include <fmt/format.h>

#include "app/ca/pickup.hpp"
#include "app/core/dates_shown.hpp"
#include "app/office/pickup_desk.hpp"
#include "domain/institution_code.hpp"
#include "web/admin/admin.hpp"
#include "web/errors.hpp"
#include "web/forms.hpp"

namespace onshi::web::admin {
namespace {

Response unlock_confirmation(Ctx& ctx, const std::string& number) {
  const auto p = app::pickup_record(ctx.services(), number);
  if (!p) return error_page(ctx, 404, "certificate.not_found");
  const auto& c = p->certificate;
  if (!c.pickup_locked_at) return error_page(ctx, 409, "pickup.not_locked");
  const auto& m = ctx.services().messages;
  util::TemplateData d;
  d.set("number", c.issuance_number);
  d.set("application_number", p->application_number);
  d.set("institution_name", p->institution_name);
  const auto code = domain::InstitutionCode::parse(p->institution_code);
  d.set("institution_code", code ? code->formatted() : p->institution_code);
  d.set("terminal", c.terminal);
  d.set("serial", c.serial_hex);
  d.set("failures", std::to_string(c.pickup_failures));
  d.set("locked_at", app::time_shown(m, *c.pickup_locked_at));
  d.set("pickup_expires_at", app::time_shown(m, c.pickup_expires_at));
  d.set("max_attempts", std::to_string(ctx.services().config.pickup_max_attempts));
  return ctx.admin_page(200, "admin/confirm_unlock.html",
                        fmt::format("取得ロックの解除 {}", c.issuance_number), d);
}

// GET /admin/certificates/{number}/unlock
Response confirm_unlock(Ctx& ctx) {
  return unlock_confirmation(ctx, ctx.param("number"));
}

// POST /admin/certificates/{number}/unlock
Response unlock(Ctx& ctx) {
  const auto& number = ctx.param("number");
  // A form from elsewhere (an old page, a replayed request) gets the confirmation page.
  if (ctx.form().get("confirmed") != "1") return unlock_confirmation(ctx, number);
  if (auto r = app::unlock_pickup(ctx.services(), actor(ctx), number); !r) {
    return error_page(ctx, http_status(r.error().code), r.error().key);
  }
  const auto p = app::pickup_record(ctx.services(), number);
  if (!p) return error_page(ctx, 404, "certificate.not_found");
  return Response::redirect(fmt::format("/admin/applications/{}?done=unlock&certificate={}",
                                        url_encode(p->application_number),
                                        url_encode(p->certificate.issuance_number)));
}

}  // namespace

void add_pickup_routes(Routes& routes) {
  routes.push_back(get("/admin/certificates/{number}/unlock", confirm_unlock, Access::staff)
                       .needs(app::Permission::letters));
  routes.push_back(post("/admin/certificates/{number}/unlock", unlock, Access::staff, Body::form)
                       .needs(app::Permission::letters));
}

}  // namespace onshi::web::admin
