#pragma once
// Text helpers of the notice letter, free of cairo so that tests can reach them. Internal to
// letters/.
#include <string>
#include <string_view>

namespace onshi::letters::notice {

// "00a1b2..." -> "00A1 B2.." in groups of four, as a person reads a serial aloud or compares it
// with a screen; anything that is not all hex digits comes back as given.
std::string group_serial(std::string_view serial);

// Every `key` (e.g. "{page}") in `text` replaced by `value`.
std::string substitute(std::string text, std::string_view key, std::string_view value);

}  // namespace onshi::letters::notice
