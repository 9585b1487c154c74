// The JSON API for vendors (docs/api.md): the usage application's actions with the pages' rules.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "app/applications/usage_applications.hpp"
#include "domain/institution_code.hpp"
#include "web/api/answers.hpp"
#include "web/errors.hpp"
#include "web/json_body.hpp"
#include "web/problem.hpp"
#include "web/site.hpp"

namespace onshi::web {
namespace {

using nlohmann::json;

constexpr std::string_view kBase = "/api/v1/usage-applications";

using api::iso_utc;
using api::ok_json;

json to_json(const store::UsageApplicationRecord& a,
             const std::vector<store::UsageApplicationRecord>& history) {
  json changes = nullptr;
  if (a.changes_id) {
    for (const auto& h : history) {
      if (h.id == *a.changes_id) changes = h.number;
    }
  }
  return {{"number", a.number},
          {"version", a.version},
          {"kind", a.changes_id ? "change" : "first"},
          {"changes", changes},
          {"status", "finalized"},
          {"finalized_at", iso_utc(a.finalized_at)},
          {"line_type", a.line_type},
          {"customer_id", a.customer_id},
          {"start_date", a.start_date},
          {"terminals", a.terminals},
          {"vendor",
           {{"name", a.vendor_name}, {"contact", a.vendor_contact}, {"phone", a.vendor_phone}}}};
}

// The body as a form, or the problem to answer with. Members of the wrong kind ("vendor": [],
// "terminals": true) are refused by name before any value is checked.
std::expected<app::UsageForm, Response> read_form(Ctx& ctx) {
  auto body = read_json_object(ctx);
  if (!body) return std::unexpected(std::move(body.error()));
  app::FieldErrors wrong_kind;
  const JsonFields fields(*body, wrong_kind);
  app::UsageForm f;
  f.line_type = fields.text("line_type");
  f.customer_id = fields.text("customer_id");
  f.start_date = fields.text("start_date");
  f.terminals = fields.text("terminals");
  const JsonFields vendor = fields.object("vendor");
  f.vendor_name = vendor.text("name");
  f.vendor_contact = vendor.text("contact");
  f.vendor_phone = vendor.text("phone");
  if (!wrong_kind.empty()) {
    return std::unexpected(
        problem(ctx.services(), 422, "validation", ctx.request().path, {}, wrong_kind));
  }
  return f;
}

// API field names follow the JSON body ("vendor.name"), not the HTML form's.
app::FieldErrors api_fields(app::FieldErrors errors) {
  for (auto& e : errors) {
    if (e.field == "vendor_name") e.field = "vendor.name";
    if (e.field == "vendor_contact") e.field = "vendor.contact";
    if (e.field == "vendor_phone") e.field = "vendor.phone";
  }
  return errors;
}

Response institution(Ctx& ctx) {
  const auto& user = ctx.api_user();
  const auto code = domain::InstitutionCode::parse(user->institution.code);
  return ok_json(200, {{"name", user->institution.name},
                       {"code", user->institution.code},
                       {"code_formatted", code ? code->formatted() : user->institution.code},
                       {"email", user->account.email}});
}

Response check(Ctx& ctx) {
  auto form = read_form(ctx);
  if (!form) return form.error();
  auto checked = app::check_usage_form(ctx.services(), *form);
  if (!checked)
    return problem(ctx.services(), 422, "validation", ctx.request().path, {},
                   api_fields(checked.error()));
  return ok_json(200, {{"line_type", checked->line_type},
                       {"customer_id", checked->customer_id},
                       {"start_date", checked->start_date},
                       {"terminals", checked->terminals},
                       {"vendor",
                        {{"name", checked->vendor_name},
                         {"contact", checked->vendor_contact},
                         {"phone", checked->vendor_phone}}}});
}

// Finalizes a first application (changes empty) or a change of `changes`.
Response submit(Ctx& ctx, const std::string& changes) {
  const auto& user = ctx.api_user();
  auto form = read_form(ctx);
  if (!form) return form.error();
  const auto key = ctx.request().header("idempotency-key");
  if (key.empty() || key.size() > 64) {
    return problem(ctx.services(), 400, "missing-idempotency-key", ctx.request().path);
  }
  form->idempotency_key = std::string(key);
  form->changes = changes;
  auto result = app::finalize_usage_application(ctx.services(), *user, *form);
  if (!result) {
    auto f = result.error();
    f.fields = api_fields(f.fields);
    return failure_problem(ctx, f);
  }
  const auto history = app::usage_history(ctx.services(), user->institution.id);
  Response r = ok_json(result->repeated ? 200 : 201, to_json(result->application, history));
  r.header("Location", fmt::format("{}/{}", kBase, result->application.number));
  return r;
}

Response list(Ctx& ctx) {
  const auto& user = ctx.api_user();
  const auto history = app::usage_history(ctx.services(), user->institution.id);
  json items = json::array();
  for (const auto& a : history) items.push_back(to_json(a, history));
  return ok_json(200, {{"items", items}});
}

// GET /api/v1/usage-applications/{number}
Response one(Ctx& ctx) {
  const auto& user = ctx.api_user();
  const std::string& number = ctx.param("number");
  const auto history = app::usage_history(ctx.services(), user->institution.id);
  for (const auto& a : history) {
    if (a.number == number) return ok_json(200, to_json(a, history));
  }
  return problem(ctx.services(), 404, "not-found", ctx.request().path);
}

}  // namespace

void add_api_routes(Routes& routes) {
  add_certificate_api_routes(routes);
  routes.push_back(get("/api/v1/institution", institution, Access::clinic_api));
  routes.push_back(post("/api/v1/usage-applications/check", check, Access::clinic_api, Body::json));
  routes.push_back(post(
      "/api/v1/usage-applications", [](Ctx& ctx) { return submit(ctx, ""); }, Access::clinic_api,
      Body::json));
  routes.push_back(get("/api/v1/usage-applications", list, Access::clinic_api));
  routes.push_back(get("/api/v1/usage-applications/{number...}", one, Access::clinic_api));
  routes.push_back(post(
      "/api/v1/usage-applications/{number}/changes",
      [](Ctx& ctx) { return submit(ctx, ctx.param("number")); }, Access::clinic_api, Body::json));
  // Any other POST below the collection names no application of this institution.
  routes.push_back(post(
      "/api/v1/usage-applications/{rest...}",
      [](Ctx& ctx) { return problem(ctx.services(), 404, "not-found", ctx.request().path); },
      Access::clinic_api, Body::json));
}

}  // namespace onshi::web
