#include "web/portal/reference_api.hpp"

#include <nlohmann/json.hpp>

#include "app/applications/mailing_address.hpp"
#include "web/forms.hpp"
#include "web/problem.hpp"

namespace onshi::web {
namespace {

Response json_reference(const std::string& body) {
  Response r = Response::text(200, "application/json; charset=utf-8", body);
  // The data changes with a new release of the files only.
  r.header("Cache-Control", "public, max-age=86400");
  return r;
}

// GET /api/v1/municipalities?prefecture=13: the form's 市区町村 choice.
Response municipalities(Ctx& ctx) {
  const auto query = Form::parse(ctx.request().query);
  int code = 0;
  try {
    code = query ? std::stoi(query->get("prefecture")) : 0;
  } catch (const std::exception&) {
    code = 0;
  }
  if (!ctx.services().reference.regions.prefecture(code)) {
    return problem(ctx.services(), 404, "not-found", ctx.request().path);
  }
  nlohmann::json items = nlohmann::json::array();
  for (const auto& m : ctx.services().reference.regions.municipalities_in(code)) {
    items.push_back({{"code", m.code}, {"name", m.name}});
  }
  return json_reference(nlohmann::json{{"prefecture", code}, {"items", std::move(items)}}.dump());
}

// GET /api/v1/postcodes/1040061 (or 104-0061; the path is not percent-decoded, so the script
// sends ASCII digits): Japan Post's data for it.
Response postcode(Ctx& ctx) {
  auto found = app::postcode_address(ctx.services(), ctx.param("code"));
  if (!found) {
    const bool unknown = found.error().key == "mailing_address.unknown_postcode";
    return problem(ctx.services(), unknown ? 404 : 422, unknown ? "not-found" : "validation",
                   ctx.request().path,
                   ctx.services().messages.format(found.error().key, found.error().args),
                   unknown ? app::FieldErrors{} : app::FieldErrors{found.error()});
  }
  const nlohmann::json body{
      {"postal_code", found->postal_code},
      {"prefecture", {{"code", found->prefecture}, {"name", found->prefecture_name}}},
      {"municipality", {{"code", found->municipality_code}, {"name", found->municipality_name}}},
      {"towns", found->towns}};
  return json_reference(body.dump());
}

}  // namespace

void add_reference_routes(Routes& routes) {
  routes.push_back(get("/api/v1/municipalities", municipalities, Access::anyone));
  routes.push_back(get("/api/v1/postcodes/{code}", postcode, Access::anyone));
}

}  // namespace onshi::web
