#pragma once
// Standard base64 (RFC 4648 section 4, with padding) for protocols that carry DER as text: EST
// (RFC 7030) bodies and the parts of its multipart answers.
#include <optional>
#include <string>
#include <string_view>

namespace onshi::util {

// Lines of at most `line_length` characters (a multiple of 4), each ending in `eol`; empty input
// gives empty output. `line_length` 0: one line without an end.
std::string base64_encode(std::string_view bytes, std::size_t line_length = 0,
                          std::string_view eol = "\n");

// The bytes, ignoring spaces, tabs, CR and LF anywhere (what clients wrap lines with); nothing for
// any other character outside the alphabet, missing or misplaced padding, or empty input.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace onshi::util
