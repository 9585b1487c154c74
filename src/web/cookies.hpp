#pragma once
#include <string>
#include <string_view>

namespace onshi::web {

// The value of cookie `name` in a Cookie header, or "" when absent.
std::string cookie_value(std::string_view cookie_header, std::string_view name);

struct CookieOptions {
  bool secure = false;
  long max_age_seconds = -1;  // -1: a session cookie; 0: delete
  // The back office narrows its cookie to /admin and refuses it on every cross-site request.
  std::string_view path = "/";
  std::string_view same_site = "Lax";
};
// A Set-Cookie value: always HttpOnly; Path=/ and SameSite=Lax unless told otherwise.
std::string set_cookie(std::string_view name, std::string_view value, const CookieOptions& o);

}  // namespace onshi::web
