// The back office's guard and shared labels, and the one place its routes are gathered.
#include <fmt/format.h>

#include "web/admin/admin.hpp"

#include "util/text.hpp"

namespace onshi::web {
namespace admin {

std::optional<Response> guard(Ctx& ctx, std::optional<app::Permission> need) {
  const auto& who = ctx.operator_user();
  if (!who) return Response::redirect(std::string(kLoginPath));
  if (need && !app::allowed(who->actor.role, *need)) {
    return error_page(ctx, 403, "review.forbidden");
  }
  return std::nullopt;
}

const app::Actor& actor(Ctx& ctx) {
  return ctx.operator_user().value().actor;
}

Response error_page(Ctx& ctx, int status, std::string_view key) {
  util::TemplateData d;
  d.set("status", std::to_string(status));
  d.set("message", ctx.message(key));
  return ctx.admin_page(status, "admin/error.html", ctx.message(key), d);
}

void set_fee(util::TemplateData& d, const store::CertificateApplicationRecord& a) {
  const auto yen = [](std::int64_t n) { return util::group_thousands(n) + "円"; };
  d.set("fee_per_certificate", yen(a.fee_per_certificate));
  d.set("tax_rate_percent", std::to_string(a.tax_rate_percent));
  d.set("subtotal", yen(a.subtotal_yen));
  d.set("tax", yen(a.tax_yen));
  d.set("total", yen(a.total_yen));
}

std::string status_label(Ctx& ctx, std::string_view status) {
  // The office's own stages (発行済 split by its letter) before the states the clinic sees.
  const std::string office = "admin_status." + std::string(status);
  if (ctx.services().messages.has(office)) return ctx.message(office);
  const std::string key = "certificate_status." + std::string(status);
  return ctx.services().messages.has(key) ? ctx.message(key) : std::string(status);
}

std::string prefecture_label(Ctx& ctx, int code) {
  const auto* p = ctx.services().reference.regions.prefecture(code);
  return p ? fmt::format("{:02d} {}", code, p->name) : std::to_string(code);
}

Form query(Ctx& ctx) {
  auto q = Form::parse(ctx.request().query);
  return q ? std::move(*q) : Form{};
}

OperatorNames operator_names(Ctx& ctx) {
  return app::operator_names(ctx.services());
}

std::string actor_label(const OperatorNames& names, std::string_view actor) {
  // "operator:ID" on the pages, "cli:operator:ID" from the shell (app::Actor::audit_name).
  const auto colon = actor.rfind(':');
  if (colon == std::string_view::npos || !actor.substr(0, colon).ends_with("operator")) {
    return std::string(actor);
  }
  store::Id id = 0;
  try {
    id = std::stoll(std::string(actor.substr(colon + 1)));
  } catch (const std::exception&) {
    return std::string(actor);
  }
  const auto it = names.find(id);
  return it == names.end() ? std::string(actor) : fmt::format("{} ({})", it->second, actor);
}

}  // namespace admin

void add_admin_routes(Routes& routes) {
  admin::add_login_routes(routes);
  admin::add_queue_routes(routes);
  admin::add_application_routes(routes);
  admin::add_letter_routes(routes);
  admin::add_audit_routes(routes);
  admin::add_pickup_routes(routes);
  admin::add_revocation_routes(routes);
  admin::add_billing_routes(routes);
  admin::add_expiry_routes(routes);
}

}  // namespace onshi::web
