#pragma once
// What the back-office pages (web/admin/*.cpp) share: the guard the dispatcher applies to every
// page but the login, the error page in the back-office layout, and labels.
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "app/office/operators.hpp"
#include "app/office/review.hpp"
#include "web/site.hpp"

namespace onshi::web::admin {

inline constexpr std::string_view kLoginPath = "/admin/login";

// Nothing when the request may go on: an operator is logged in and, if `need` is given, their role
// allows it. Otherwise the answer: 303 to the login page, or the 403 page.
std::optional<Response> guard(Ctx& ctx, std::optional<app::Permission> need = std::nullopt);
// The logged-in operator as the use cases want them; call after guard().
const app::Actor& actor(Ctx& ctx);

// A 4xx page in the back-office layout with the catalogue's message `key`.
Response error_page(Ctx& ctx, int status, std::string_view key);

std::string status_label(Ctx& ctx, std::string_view status);
std::string prefecture_label(Ctx& ctx, int code);  // "13 東京都"
// The fee the application recorded: fee_per_certificate, tax_rate_percent, subtotal, tax, total
// ("1,500円").
void set_fee(util::TemplateData& d, const store::CertificateApplicationRecord& a);
// The query string of the request, parsed (empty when malformed).
Form query(Ctx& ctx);

// Everything the detail page shows about one application (dossier.cpp).
void set_dossier(Ctx& ctx, util::TemplateData& d, const app::ApplicationDossier& dossier);
// Operators' display names by id, read once per page.
using OperatorNames = std::map<store::Id, std::string>;
OperatorNames operator_names(Ctx& ctx);
// An audit actor as people read it: "operator:3" -> "佐藤 (operator:3)"; others unchanged.
std::string actor_label(const OperatorNames& names, std::string_view actor);

void add_login_routes(Routes& routes);
void add_queue_routes(Routes& routes);
void add_application_routes(Routes& routes);
void add_letter_routes(Routes& routes);
void add_audit_routes(Routes& routes);
// 取得ロックを解除 of a certificate (pickups.cpp).
void add_pickup_routes(Routes& routes);
// 失効 of a certificate by an issuer or admin (revocation.cpp).
void add_revocation_routes(Routes& routes);
// 発行料: 月次締め, its files and 入金の記録 (billing.cpp).
void add_billing_routes(Routes& routes);
// 有効期限の見通し (expiries.cpp).
void add_expiry_routes(Routes& routes);

}  // namespace onshi::web::admin
