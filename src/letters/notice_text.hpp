#pragma once
// Text helpers of the notice letter, free of cairo so that tests can reach them. Internal to
// letters/.
#include <string>
#include <string_view>

namespace onshi::letters::notice {

// Every `key` (e.g. "{page}") in `text` replaced by `value`.
std::string substitute(std::string text, std::string_view key, std::string_view value);

}  // namespace onshi::letters::notice
