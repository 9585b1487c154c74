#pragma once
// A JSON request body read for a handler: its content type checked and every refusal answered as
// a problem. The parse itself, the one place a JSON body is parsed, is json_parse.hpp's. Include
// only where a body is read: the JSON library is slow to compile.
#include <cstddef>
#include <expected>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "app/core/services.hpp"
#include "web/context.hpp"
#include "web/json_parse.hpp"

namespace onshi::web {

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
