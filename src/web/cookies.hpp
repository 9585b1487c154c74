#pragma once
#include <string>
#include <string_view>

namespace onshi::web {

// The value of cookie `name` in a Cookie header, or "" when absent.
std::string cookie_value(std::string_view cookie_header, std::string_view name);

struct CookieOptions {
  bool secure = false;
  long max_age_seconds = -1;  // -1: a session cookie; 0: delete
};
// A Set-Cookie value: always HttpOnly, SameSite=Lax, Path=/.
std::string set_cookie(std::string_view name, std::string_view value, const CookieOptions& o);

}  // namespace onshi::web
