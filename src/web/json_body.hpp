#pragma once
// The one place a JSON request body is parsed. Its size, nesting depth and number of values are
// bounded before any of it becomes a tree, so nothing later (copying, dumping, destroying) can
// recurse deeper than `max_depth` over what a client sent. Include only where a body is read: the
// JSON library is slow to compile.
#include <cstddef>
#include <expected>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "app/core/services.hpp"
#include "web/context.hpp"

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

// The request's body as a JSON object, or the RFC 9457 problem to answer with: 415 for another
// content type, 413 over the size limit, 400 `malformed-json` (with `code` saying why) otherwise.
std::expected<nlohmann::json, Response> read_json_object(Ctx& ctx, const JsonLimits& limits = {});

// Reads an object's members as the text a person would have typed (strings as they are, numbers
// printed, null as absent). A member of another kind is noted in `errors` under its dotted name,
// so that a vendor learns which member to fix.
class JsonFields {
 public:
  JsonFields(const nlohmann::json& object, app::FieldErrors& errors, std::string prefix = {});
  std::string text(std::string_view key) const;
  // The member object `key` (absent or null: an empty one).
  JsonFields object(std::string_view key) const;

 private:
  const nlohmann::json* member(std::string_view key) const;
  std::string name_of(std::string_view key) const { return prefix_ + std::string(key); }

  const nlohmann::json& object_;
  app::FieldErrors& errors_;
  std::string prefix_;
};

}  // namespace onshi::web
