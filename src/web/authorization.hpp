#pragma once
// The credentials of an Authorization header, read where nothing else of the request is needed:
// the EST routes, the JSON API and the fuzz target that feeds them hostile headers.
#include <optional>
#include <string>
#include <string_view>

namespace onshi::web {

// The token of an `Authorization: Bearer TOKEN` header (any case of "Bearer"), or nothing.
std::optional<std::string_view> bearer_token(std::string_view authorization);

// The user-id and password of an `Authorization: Basic` header (RFC 7617: any case of "Basic",
// base64 of "user:password", split at the first colon), or nothing when it is missing, of another
// scheme, not base64, not UTF-8, without a colon, or with either half empty.
struct BasicCredentials {
  std::string user;
  std::string password;
};
std::optional<BasicCredentials> basic_credentials(std::string_view authorization);

}  // namespace onshi::web
