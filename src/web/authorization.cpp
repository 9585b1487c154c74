#include "web/authorization.hpp"

#include "util/base64.hpp"
#include "util/text.hpp"

namespace onshi::web {

std::optional<std::string_view> bearer_token(std::string_view authorization) {
  // RFC 9110 §11.1: the scheme is case-insensitive and one or more spaces come before the token.
  const auto space = authorization.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  if (util::ascii_lower(authorization.substr(0, space)) != "bearer") return std::nullopt;
  const auto token = util::trim(authorization.substr(space + 1));
  if (token.empty()) return std::nullopt;
  return token;
}

std::optional<BasicCredentials> basic_credentials(std::string_view authorization) {
  const auto space = authorization.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  if (util::ascii_lower(authorization.substr(0, space)) != "basic") return std::nullopt;
  const auto decoded = util::base64_decode(util::trim(authorization.substr(space + 1)));
  if (!decoded || !util::is_valid_utf8(*decoded)) return std::nullopt;
  const auto colon = decoded->find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == decoded->size()) {
    return std::nullopt;
  }
  return BasicCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

}  // namespace onshi::web
