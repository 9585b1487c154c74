#include "letters/notice_text.hpp"

#include <algorithm>
#include <cctype>

namespace onshi::letters::notice {

std::string substitute(std::string text, std::string_view key, std::string_view value) {
  for (std::size_t at = text.find(key); at != std::string::npos;
       at = text.find(key, at + value.size())) {
    text.replace(at, key.size(), value);
  }
  return text;
}

}  // namespace onshi::letters::notice
