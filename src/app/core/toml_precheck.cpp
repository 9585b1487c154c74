#include "app/core/toml_precheck.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <optional>
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

// The code point of the UTF-8 sequence at text[i] (a byte of 0x80 or more) and its length, or
// nothing for what RFC 3629 forbids: stray continuation bytes, overlong forms, surrogates.
std::optional<std::pair<char32_t, std::size_t>> utf8_at(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  std::size_t length = 0;
  char32_t cp = 0;
  unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, cp = lead & 0x0F;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, cp = lead & 0x07;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return std::nullopt;
  }
  if (i + length > text.size()) return std::nullopt;
  for (std::size_t k = 1; k < length; ++k) {
    const unsigned char b = byte(i + k);
    if (b < (k == 1 ? low : 0x80) || b > (k == 1 ? high : 0xBF)) return std::nullopt;
    cp = (cp << 6) | (b & 0x3F);
  }
  return std::pair{cp, length};
}

std::string escaped(char32_t cp) {
  const auto value = static_cast<std::uint32_t>(cp);
  return cp <= 0xFFFF ? fmt::format("\\u{:04X}", value) : fmt::format("\\U{:08X}", value);
}

}  // namespace

// One pass over the bytes, knowing only where strings and comments begin and end. A line inside a
// multi-line array may also start with "[": one whose first element is not a key character or
// quote, or is on the next line, is refused too, which no key of onshi.toml takes.
std::string toml_in_ascii(std::string_view text, const std::filesystem::path& file) {
  enum class In { code, comment, basic, literal, multiline_basic, multiline_literal };
  In in = In::code;
  std::size_t line = 1;
  bool line_start = true;  // only spaces and tabs so far on this line
  // The last character outside strings, comments and blanks ('\n' at a line's start): a quote
  // starts a string only where a key or a value may, and a file with one elsewhere is refused
  // with that line rather than left to toml++'s reading of it.
  char last = '\n';
  std::string out;
  out.reserve(text.size() + text.size() / 2);
  // A byte order mark, as Windows editors write, is not part of the document.
  std::size_t i = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  for (; i < text.size(); ++i) {
    const char ch = text[i];
    if (ch == '\n') {
      ++line;
      line_start = true;
      if (in != In::multiline_basic && in != In::multiline_literal) last = '\n';
      if (in == In::comment || in == In::basic || in == In::literal) in = In::code;
      out += ch;
      continue;
    }
    if (static_cast<unsigned char>(ch) >= 0x80) {
      const auto decoded = utf8_at(text, i);
      if (!decoded) refuse(file, line, "the file must be UTF-8");
      if (in == In::code)
        refuse(file, line, "characters other than ASCII must be inside quotes (\"...\")");
      out += in == In::comment ? std::string(" ") : escaped(decoded->first);
      line_start = false;
      i += decoded->second - 1;
      continue;
    }
    const bool was_line_start = line_start;
    if (ch != ' ' && ch != '\t') line_start = false;
    const auto rest = text.substr(i);
    // Up to two more quotes end a multi-line string's content ("""a""""" is a"").
    const auto extra_quotes = [&](char quote) {
      std::size_t n = 0;
      while (n < 2 && i + 3 + n < text.size() && text[i + 3 + n] == quote) ++n;
      return n;
    };
    switch (in) {
      case In::comment:
        out += ch;
        break;
      case In::basic:
      case In::multiline_basic:
        if (ch == '\\' && i + 1 < text.size() && text[i + 1] != '\n') {
          // An escaped quote does not end the string; an escaped kana is no escape of TOML's.
          if (static_cast<unsigned char>(text[i + 1]) >= 0x80)
            refuse(file, line, "a backslash in a string must start an escape such as \\n");
          out += rest.substr(0, 2);
          ++i;
        } else if (in == In::basic) {
          out += ch;
          if (ch == '"') {
            in = In::code;
            last = '"';
          }
        } else if (rest.starts_with(R"(""")")) {
          const auto n = extra_quotes('"');
          out += rest.substr(0, 3 + n);
          i += 2 + n;
          in = In::code;
          last = '"';
        } else {
          out += ch;
        }
        break;
      case In::literal:
      case In::multiline_literal:
        // The basic string of the same value: a literal string has no escapes, so its own
        // backslashes and double quotes become escapes.
        if (in == In::literal && ch == '\'') {
          out += '"';
          in = In::code;
          last = '\'';
        } else if (in == In::multiline_literal && rest.starts_with("'''")) {
          const auto n = extra_quotes('\'');
          out += std::string(n, '\'') + R"(""")";
          i += 2 + n;
          in = In::code;
          last = '\'';
        } else if (ch == '\\' || ch == '"') {
          out += '\\';
          out += ch;
        } else {
          out += ch;
        }
        break;
      case In::code:
        if (ch == '#') {
          in = In::comment;
        } else if ((ch == '"' || ch == '\'') &&
                   std::string_view("\n=[,{.").find(last) == std::string_view::npos) {
          refuse(file, line, "a quote may only start a key or a value");
        } else if (rest.starts_with(R"(""")") || rest.starts_with("'''")) {
          in = ch == '"' ? In::multiline_basic : In::multiline_literal;
          out += R"(""")";
          i += 2;
          break;
        } else if (ch == '"' || ch == '\'') {
          in = ch == '"' ? In::basic : In::literal;
          out += '"';
          break;
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
        out += ch;
        if (in == In::code && ch != ' ' && ch != '\t' && ch != '\r') last = ch;
        break;
    }
  }
  return out;
}

}  // namespace onshi::app
