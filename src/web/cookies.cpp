#include "web/cookies.hpp"

#include <fmt/format.h>

#include "util/text.hpp"

namespace onshi::web {

std::string cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto semi = header.find(';');
    const auto part = util::trim(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
    const auto eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name)
      return std::string(part.substr(eq + 1));
  }
  return {};
}

std::string set_cookie(std::string_view name, std::string_view value, const CookieOptions& o) {
  std::string out =
      fmt::format("{}={}; Path={}; HttpOnly; SameSite={}", name, value, o.path, o.same_site);
  if (o.secure) out += "; Secure";
  if (o.max_age_seconds >= 0) out += fmt::format("; Max-Age={}", o.max_age_seconds);
  return out;
}

}  // namespace onshi::web
