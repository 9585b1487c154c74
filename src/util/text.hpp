#pragma once
// Text helpers for what people type: full-width digits and letters, odd hyphens, stray spaces.
#include <cstdint>
#include <string>
#include <string_view>

namespace onshi::util {

// Unicode NFKC (ICU): "１２３" -> "123", "ＣＡＦ" -> "CAF". Invalid UTF-8 yields an empty
// optional-like result: the returned bool is false and the string is empty.
struct Normalized {
  std::string text;
  bool valid_utf8 = true;
};
Normalized nfkc(std::string_view utf8);

// True when the bytes are well-formed UTF-8.
bool is_valid_utf8(std::string_view bytes);

// Number of Unicode code points (the input must be valid UTF-8).
std::size_t code_points(std::string_view utf8);

// True when the text holds a C0/C1 control character or DEL (tabs and newlines included), a
// bidirectional formatting character (U+202E and its kin) or U+2028/U+2029. Every text field
// refuses these.
bool has_control_chars(std::string_view utf8);

// Removes leading and trailing ASCII whitespace.
std::string_view trim(std::string_view s);

// NFKC, then maps the dash-like characters people type between digits (ー − ‐ – — ｰ) to '-',
// and trims. Use before parsing codes, phone numbers and IDs.
std::string normalize_code_input(std::string_view utf8);

// A certificate serial as people read it aloud or compare it with the notice letter and the
// Windows certificate dialog: "00a1b2..." -> "00A1 B2.." in groups of four; anything that is not
// all hex digits comes back as given.
std::string group_serial(std::string_view serial);

// 1500 -> "1,500": amounts of yen as pages, mails and receipts show them.
std::string group_thousands(std::int64_t value);

// ASCII lower-casing (for e-mail comparison keys and similar).
std::string ascii_lower(std::string_view s);

}  // namespace onshi::util
