// The JSON API for vendors (docs/api.md): the institution's certificates as マイページ lists them,
// and 失効 of one of them with the rules of マイページ's form (app::revoke_own_certificates).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "app/applications/my_certificates.hpp"
#include "app/ca/own_revocation.hpp"
#include "app/core/form_values.hpp"
#include "domain/calendar_date.hpp"
#include "util/text.hpp"
#include "web/api/answers.hpp"
#include "web/errors.hpp"
#include "web/json_body.hpp"
#include "web/problem.hpp"
#include "web/site.hpp"

namespace onshi::web {
namespace {

using api::iso_utc;
using api::ok_json;
using nlohmann::json;

constexpr std::string_view kBase = "/api/v1/certificates";

json optional_time(const std::optional<store::Millis>& at) {
  return at ? json(iso_utc(*at)) : json(nullptr);
}

json reason_name(const std::optional<int>& code) {
  if (!code) return nullptr;
  const auto r = domain::revocation_reason_from_code(*code);
  return r ? json(std::string(domain::reason_key(*r))) : json(nullptr);
}

json to_json(Ctx& ctx, const store::CertificateRow& c) {
  const auto& s = ctx.services();
  const auto now = s.now_ms();
  json since = nullptr;
  if (c.invalidity_date) since = domain::format_date(app::date_in_japan(*c.invalidity_date));
  return {{"number", c.issuance_number},
          {"terminal", c.terminal},
          {"serial", c.serial_hex},
          {"status", domain::state_key(app::state_today(c, now))},
          {"notBefore", iso_utc(c.not_before)},
          {"notAfter", iso_utc(c.not_after)},
          {"pickup", app::pickup_stage_key(app::pickup_stage(s, c, now))},
          {"pickedUpAt", optional_time(c.picked_up_at)},
          {"revokedAt", optional_time(c.revoked_at)},
          {"reason", reason_name(c.revocation_reason)},
          {"compromisedSince", since}};
}

Response not_found(Ctx& ctx) {
  return problem(ctx.services(), 404, "not-found", ctx.request().path);
}

// GET /api/v1/certificates
Response list(Ctx& ctx) {
  json items = json::array();
  for (const auto& c : app::my_certificate_rows(ctx.services(), ctx.api_user()->institution.id))
    items.push_back(to_json(ctx, c));
  return ok_json(200, {{"items", items}});
}

// GET /api/v1/certificates/{number}
Response one(Ctx& ctx) {
  const auto c =
      app::my_certificate(ctx.services(), ctx.api_user()->institution.id, ctx.param("number"));
  if (!c) return not_found(ctx);
  return ok_json(200, to_json(ctx, c->row));
}

// The API's member names for the use case's fields.
app::FieldErrors api_fields(app::FieldErrors errors) {
  for (auto& e : errors) {
    if (e.field == "compromised_since") e.field = "compromisedSince";
  }
  return errors;
}

// POST /api/v1/certificates/{number}/revocation
Response revoke(Ctx& ctx) {
  const auto& user = ctx.api_user();
  auto body = read_json_object(ctx);
  if (!body) return std::move(body.error());
  app::FieldErrors wrong_kind;
  const JsonFields fields(*body, wrong_kind);
  app::OwnRevocationRequest request{{ctx.param("number")}, fields.text("reason"), std::nullopt, {}};
  if (auto since = fields.text("compromisedSince"); !since.empty())
    request.compromised_since = since;
  if (!wrong_kind.empty()) {
    return problem(ctx.services(), 422, "validation", ctx.request().path, {}, wrong_kind);
  }
  const auto key = ctx.request().header("idempotency-key");
  if (key.empty() || key.size() > 64) {
    return problem(ctx.services(), 400, "missing-idempotency-key", ctx.request().path);
  }
  request.idempotency_key = std::string(key);
  auto result = app::revoke_own_certificates(ctx.services(), *user, request);
  if (!result) {
    auto f = result.error();
    f.fields = api_fields(f.fields);
    // One certificate: the refusal is about it, not about a list the body never had.
    if (!f.is(app::FailureCode::invalid)) f.fields.clear();
    return failure_problem(ctx, f);
  }
  const auto& number = result->certificates.front().issuance_number;
  const auto c = app::my_certificate(ctx.services(), user->institution.id, number);
  if (!c) return not_found(ctx);
  Response r = ok_json(result->repeated ? 200 : 201, to_json(ctx, c->row));
  r.header("Location", fmt::format("{}/{}", kBase, number));
  return r;
}

}  // namespace

void add_certificate_api_routes(Routes& routes) {
  routes.push_back(get(std::string(kBase), list, Access::clinic_api));
  routes.push_back(get(std::string(kBase) + "/{number}", one, Access::clinic_api));
  routes.push_back(
      post(std::string(kBase) + "/{number}/revocation", revoke, Access::clinic_api, Body::json));
  // Any other POST below the collection names nothing this institution may act on.
  routes.push_back(
      post(std::string(kBase) + "/{rest...}", not_found, Access::clinic_api, Body::json));
}

}  // namespace onshi::web
