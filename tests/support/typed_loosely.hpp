#pragma once
// A pickup code as a person may type it off the paper: full width, lower case, hyphens dropped.
#include <string>

namespace onshi::test {

inline std::string typed_loosely(const std::string& code) {
  std::string out;
  for (const char c : code) {
    if (c == '-') continue;
    if (c >= 'A' && c <= 'Z') {
      out += "\xEF\xBD";  // U+FF41.. full-width small letters
      out += static_cast<char>(0x81 + (c - 'A'));
    } else if (c >= '0' && c <= '9') {
      out += "\xEF\xBC";  // U+FF10.. full-width digits
      out += static_cast<char>(0x90 + (c - '0'));
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace onshi::test
