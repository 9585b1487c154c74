#pragma once
// What toml++ 3.3 (Debian 12) meets only with an assertion or TOML_UNREACHABLE, refused before it
// reads onshi.toml. Found by tests/fuzz/config_fuzz.cpp:
// - a [table] header whose name starts with no key character ("[!") or is missing ("[" and a new
//   line) reaches the assertion in parser::parse_key: an abort where assertions are on, an
//   assumption and undefined behaviour where clang compiles them away;
// - a character outside ASCII where the parser looks for whitespace (outside strings and
//   comments: "[設定]", an unquoted "from = ポータル") reaches is_non_ascii_horizontal_whitespace,
//   whose table misses U+2F60 to U+33F9 (most kana) and falls into TOML_UNREACHABLE, undefined
//   in every build.
#include <filesystem>
#include <string_view>

namespace onshi::app {

// Throws std::runtime_error "FILE:LINE: why" for the first such place in `text`.
void refuse_what_toml_cannot_read(std::string_view text, const std::filesystem::path& file);

}  // namespace onshi::app
