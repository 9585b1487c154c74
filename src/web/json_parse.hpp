#pragma once
// The one place a JSON request body is parsed. Its size, nesting depth and number of values are
// bounded before any of it becomes a tree, so nothing later (copying, dumping, destroying) can
// recurse deeper than `max_depth` over what a client sent. Nothing of the request is needed here
// (json_body.hpp answers the refusals), so the fuzz target calls it as it is.
#include <cstddef>
#include <expected>
#include <nlohmann/json.hpp>
#include <string_view>

namespace onshi::web {

struct JsonLimits {
  std::size_t max_bytes = 64 * 1024;
  int max_depth = 32;  // objects and arrays inside one another, the outermost counting as 1
  std::size_t max_values = 4096;
};

enum class JsonBodyError { too_large, malformed, too_deep, too_many_values, not_an_object };

// The body as a JSON object, or why it is refused.
std::expected<nlohmann::json, JsonBodyError> parse_json_object(std::string_view body,
                                                               const JsonLimits& limits = {});

}  // namespace onshi::web
