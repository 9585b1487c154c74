#pragma once
// onshi.toml handed to toml++ 3.3 (Debian 12) in ASCII only, and what it meets only with an
// assertion refused before it reads the file. Found by tests/fuzz/config_fuzz.cpp:
// - a character outside ASCII where the parser looks for whitespace reaches
//   is_non_ascii_horizontal_whitespace, whose table misses U+00A1 to U+0499, U+2F6E to U+3367
//   (most kana) and U+FB36 to U+FEFE and falls into TOML_UNREACHABLE, undefined in every build.
//   That is not only outside strings: after a value it cannot read (`a=[1_4='…`, `name = 17:0"…`)
//   toml++ reads on to the next blank for its message, through the string that follows. So no
//   such character may reach it at all: inside strings they become \u escapes of the same text;
// - a [table] header whose name starts with no key character ("[!") or is missing ("[" and a new
//   line) reaches the assertion in parser::parse_key: an abort where assertions are on, an
//   assumption and undefined behaviour where clang compiles them away.
#include <filesystem>
#include <string>
#include <string_view>

namespace onshi::app {

// The same document in ASCII: each character outside it in a string as a \uXXXX escape (a literal
// string becomes the basic string of the same value), in a comment a blank. Throws
// std::runtime_error "FILE:LINE: why" for one anywhere else, for bytes that are not UTF-8 and for
// the table headers above.
std::string toml_in_ascii(std::string_view text, const std::filesystem::path& file);

}  // namespace onshi::app
