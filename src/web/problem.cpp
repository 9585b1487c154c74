#include "web/problem.hpp"

#include <nlohmann/json.hpp>

namespace onshi::web {

std::string_view problem_type_for(int status) {
  switch (status) {
    case 400:
      return "malformed-json";
    case 401:
      return "unauthenticated";
    case 403:
      return "forbidden";
    case 404:
      return "not-found";
    case 405:
      return "method-not-allowed";
    case 409:
      return "conflict";
    case 413:
      return "too-large";
    case 415:
      return "unsupported-media-type";
    case 422:
      return "validation";
    default:
      return "internal";
  }
}

Response problem(const app::Services& s, int status, std::string_view type,
                 std::string_view instance, std::string_view detail, const app::FieldErrors& errors,
                 std::string_view code) {
  nlohmann::json body = {
      {"type", s.config.base_url + "/problems/" + std::string(type)},
      {"title", s.messages.get("problem." + std::string(type))},
      {"status", status},
      {"instance", instance},
  };
  if (!detail.empty()) body["detail"] = detail;
  if (!code.empty()) body["code"] = code;
  if (!errors.empty()) {
    auto list = nlohmann::json::array();
    for (const auto& e : errors) {
      list.push_back(
          {{"field", e.field}, {"code", e.key}, {"message", s.messages.format(e.key, e.args)}});
    }
    body["errors"] = std::move(list);
  }
  // `instance` is the path as sent: bytes that are not UTF-8 are replaced, never thrown over.
  Response r = Response::text(status, "application/problem+json; charset=utf-8",
                              body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  if (status == 401) r.header("WWW-Authenticate", "Bearer realm=\"onshi\"");
  r.header("Cache-Control", "no-store");
  return r;
}

}  // namespace onshi::web
