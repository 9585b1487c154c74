#include "web/json_parse.hpp"

#include <optional>

namespace onshi::web {

using nlohmann::json;

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

}  // namespace onshi::web
