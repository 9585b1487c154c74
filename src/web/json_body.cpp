#include "web/json_body.hpp"

#include "util/text.hpp"
#include "web/problem.hpp"

namespace onshi::web {
namespace {

using nlohmann::json;

// The problem's `code` and the catalogue's message for each refusal.
struct Refusal {
  std::string_view code;
  std::string_view message_key;
};
Refusal refusal_of(JsonBodyError e) {
  switch (e) {
    case JsonBodyError::too_large:
      return {"too-large", "json.too_large"};
    case JsonBodyError::too_deep:
      return {"too-deep", "json.too_deep"};
    case JsonBodyError::too_many_values:
      return {"too-many-values", "json.too_many_values"};
    case JsonBodyError::not_an_object:
      return {"not-an-object", "json.body_not_an_object"};
    case JsonBodyError::malformed:
      break;
  }
  return {"malformed", "json.malformed"};
}

}  // namespace

std::expected<json, Response> read_json_object(Ctx& ctx, const JsonLimits& limits) {
  const auto& r = ctx.request();
  if (!util::ascii_lower(r.header("content-type")).starts_with("application/json")) {
    return std::unexpected(problem(ctx.services(), 415, "unsupported-media-type", r.path));
  }
  auto parsed = parse_json_object(r.body, limits);
  if (parsed) return std::move(*parsed);
  const auto why = refusal_of(parsed.error());
  if (parsed.error() == JsonBodyError::too_large) {
    return std::unexpected(
        problem(ctx.services(), 413, "too-large", r.path, ctx.message(why.message_key)));
  }
  return std::unexpected(problem(ctx.services(), 400, "malformed-json", r.path,
                                 ctx.message(why.message_key), {}, why.code));
}

JsonFields::JsonFields(const json& object, app::FieldErrors& errors, std::string prefix)
    : object_(object), errors_(errors), prefix_(std::move(prefix)) {}

const json* JsonFields::member(std::string_view key) const {
  if (!object_.is_object()) return nullptr;
  const auto it = object_.find(key);
  if (it == object_.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string JsonFields::text(std::string_view key) const {
  const json* v = member(key);
  if (!v) return {};
  if (v->is_string()) return v->get<std::string>();
  if (v->is_number()) return v->dump();
  errors_.push_back({name_of(key), "json.not_text"});
  return {};
}

JsonFields JsonFields::object(std::string_view key) const {
  static const json empty = json::object();
  const json* v = member(key);
  if (!v) return JsonFields(empty, errors_, name_of(key) + ".");
  if (!v->is_object()) {
    errors_.push_back({name_of(key), "json.not_an_object"});
    return JsonFields(empty, errors_, name_of(key) + ".");
  }
  return JsonFields(*v, errors_, name_of(key) + ".");
}

}  // namespace onshi::web
