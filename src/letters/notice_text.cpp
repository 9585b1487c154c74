#include "letters/notice_text.hpp"

#include <algorithm>
#include <cctype>

namespace onshi::letters::notice {

std::string group_serial(std::string_view serial) {
  const bool hex = !serial.empty() && std::all_of(serial.begin(), serial.end(), [](char ch) {
    return std::isxdigit(static_cast<unsigned char>(ch)) != 0;
  });
  if (!hex) return std::string(serial);
  std::string out;
  for (std::size_t i = 0; i < serial.size(); ++i) {
    if (i > 0 && i % 4 == 0) out += ' ';
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(serial[i])));
  }
  return out;
}

std::string substitute(std::string text, std::string_view key, std::string_view value) {
  for (std::size_t at = text.find(key); at != std::string::npos;
       at = text.find(key, at + value.size())) {
    text.replace(at, key.size(), value);
  }
  return text;
}

}  // namespace onshi::letters::notice
