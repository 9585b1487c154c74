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

std::expected<json, JsonBodyError> parse_json_object(std::string_view body,
                                                     const JsonLimits& limits) {
  if (body.size() > limits.max_bytes) return std::unexpected(JsonBodyError::too_large);
  // One pass. The parser asks before it keeps each value; past a limit the answer is no, so what
  // is too deep or too many is read through (within max_bytes) but never becomes a tree.
  std::optional<JsonBodyError> refused;
  std::size_t values = 0;
  const auto keep = [&](int depth, json::parse_event_t event, json&) {
    if (refused) return false;
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        // `depth` counts the containers around this one: the body object starts at 0.
        if (depth >= limits.max_depth) {
          refused = JsonBodyError::too_deep;
          return false;
        }
        [[fallthrough]];
      case json::parse_event_t::value:
        if (++values > limits.max_values) {
          refused = JsonBodyError::too_many_values;
          return false;
        }
        return true;
      default:
        return true;
    }
  };
  json parsed = json::parse(body, keep, /*allow_exceptions=*/false);
  if (refused) return std::unexpected(*refused);
  if (parsed.is_discarded()) return std::unexpected(JsonBodyError::malformed);
  if (!parsed.is_object()) return std::unexpected(JsonBodyError::not_an_object);
  return parsed;
}

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
