#include "app/core/toml_precheck.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace onshi::app {
namespace {

bool starts_a_key(char ch) {
  return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
         ch == '_' || ch == '-' || ch == '"' || ch == '\'' || ch == ']';
}

[[noreturn]] void refuse(const std::filesystem::path& file, std::size_t line,
                         std::string_view why) {
  throw std::runtime_error(fmt::format("{}:{}: {}", file.string(), line, why));
}

}  // namespace

// One pass over the bytes, knowing only where strings and comments begin and end: inside them any
// UTF-8 is toml++'s to check; elsewhere TOML allows nothing but ASCII anyway. A line inside a
// multi-line array may also start with "[": one whose first element is not a key character or
// quote, or is on the next line, is refused too, which no key of onshi.toml takes.
void refuse_what_toml_cannot_read(std::string_view text, const std::filesystem::path& file) {
  enum class In { code, comment, basic, literal, multiline_basic, multiline_literal };
  In in = In::code;
  std::size_t line = 1;
  bool line_start = true;  // only spaces and tabs so far on this line
  // A byte order mark, as Windows editors write, is toml++'s to skip.
  const std::size_t bom = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  for (std::size_t i = bom; i < text.size(); ++i) {
    const char ch = text[i];
    if (ch == '\n') {
      ++line;
      line_start = true;
      if (in == In::comment || in == In::basic || in == In::literal) in = In::code;
      continue;
    }
    const bool was_line_start = line_start;
    if (ch != ' ' && ch != '\t') line_start = false;
    const auto rest = text.substr(i);
    switch (in) {
      case In::comment:
        break;
      case In::basic:
      case In::multiline_basic:
        if (ch == '\\' && i + 1 < text.size() && text[i + 1] != '\n') {
          ++i;  // an escaped quote does not end the string
        } else if (in == In::basic ? ch == '"' : rest.starts_with(R"(""")")) {
          i += in == In::basic ? 0 : 2;
          in = In::code;
        }
        break;
      case In::literal:
        if (ch == '\'') in = In::code;
        break;
      case In::multiline_literal:
        if (rest.starts_with("'''")) {
          i += 2;
          in = In::code;
        }
        break;
      case In::code:
        if (static_cast<unsigned char>(ch) >= 0x80) {
          refuse(file, line, "characters other than ASCII must be inside quotes (\"...\")");
        } else if (ch == '#') {
          in = In::comment;
        } else if (rest.starts_with(R"(""")") || rest.starts_with("'''")) {
          in = ch == '"' ? In::multiline_basic : In::multiline_literal;
          i += 2;
        } else if (ch == '"' || ch == '\'') {
          in = ch == '"' ? In::basic : In::literal;
        } else if (ch == '[' && was_line_start) {
          // As parser::parse_table_header reads it: "[", blanks, a second "[" for an array of
          // tables, blanks, and then the name (a third "[" is where it asserted).
          const auto after_blanks = [&](std::size_t from) {
            return std::min(text.find_first_not_of(" \t", from), text.size());
          };
          auto name = after_blanks(i + 1);
          if (name < text.size() && text[name] == '[') name = after_blanks(name + 1);
          if (name == text.size() || !starts_a_key(text[name]))
            refuse(file, line,
                   "a [section] name must be a bare key (letters, digits, _ and -) or quoted");
        }
        break;
    }
  }
}

}  // namespace onshi::app
