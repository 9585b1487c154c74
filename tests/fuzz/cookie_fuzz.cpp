// libFuzzer target: the Cookie header (web/cookies.cpp), read on every request for the session,
// the back office's session and the CSRF cookie.
#include <string>

#include "fuzz_check.hpp"
#include "web/cookies.hpp"

using onshi::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace onshi::web;
  const auto header = onshi::fuzz::bytes(data, size);
  for (const std::string_view name : {"onshi_session", "onshi_csrf", "onshi_admin", ""}) {
    const auto value = cookie_value(header, name);
    // A value is a piece of the header and never runs into the next cookie.
    require(value.find(';') == std::string::npos);
    require(value.empty() || header.find(value) != std::string_view::npos);
  }
  return 0;
}
