#include "util/text.hpp"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace onshi::util {

bool is_valid_utf8(std::string_view bytes) {
  const auto* s = reinterpret_cast<const uint8_t*>(bytes.data());
  int32_t i = 0;
  const auto length = static_cast<int32_t>(bytes.size());
  if (bytes.size() > static_cast<std::size_t>(INT32_MAX)) return false;
  while (i < length) {
    UChar32 c = 0;
    U8_NEXT(s, i, length, c);
    if (c < 0) return false;
  }
  return true;
}

std::size_t code_points(std::string_view utf8) {
  std::size_t n = 0;
  for (unsigned char ch : utf8) {
    if ((ch & 0xC0) != 0x80) ++n;
  }
  return n;
}

bool has_control_chars(std::string_view utf8) {
  const auto* s = reinterpret_cast<const uint8_t*>(utf8.data());
  int32_t i = 0;
  const auto length = static_cast<int32_t>(utf8.size());
  while (i < length) {
    UChar32 c = 0;
    U8_NEXT(s, i, length, c);
    if (c < 0) return true;  // invalid bytes count as unprintable
    if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)) return true;
    // Bidirectional formatting (U+061C, U+200E/F, U+202A-E, U+2066-9): they make a printed name
    // read differently from what was stored. Line and paragraph separators break a line as CR or
    // LF would.
    if (c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
        (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029) {
      return true;
    }
  }
  return false;
}

Normalized nfkc(std::string_view utf8) {
  if (!is_valid_utf8(utf8)) return {"", false};
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* normalizer = icu::Normalizer2::getNFKCInstance(status);
  if (U_FAILURE(status)) throw std::runtime_error("ICU NFKC normalizer unavailable");
  const icu::UnicodeString source = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  icu::UnicodeString out = normalizer->normalize(source, status);
  if (U_FAILURE(status)) return {"", false};
  std::string result;
  out.toUTF8String(result);
  return {std::move(result), true};
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view ws = " \t\r\n\f\v";
  const auto first = s.find_first_not_of(ws);
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(ws);
  return s.substr(first, last - first + 1);
}

std::string normalize_code_input(std::string_view utf8) {
  Normalized n = nfkc(utf8);
  if (!n.valid_utf8) return {};
  // Dash-like characters that NFKC leaves alone but people type between digits.
  static constexpr std::array<std::string_view, 8> dashes = {
      "\u30FC", "\u2212", "\u2010", "\u2011", "\u2013", "\u2014", "\u2015", "\uFF70"};
  std::string out;
  out.reserve(n.text.size());
  std::string_view rest = n.text;
  while (!rest.empty()) {
    bool matched = false;
    for (auto d : dashes) {
      if (rest.starts_with(d)) {
        out.push_back('-');
        rest.remove_prefix(d.size());
        matched = true;
        break;
      }
    }
    if (!matched) {
      out.push_back(rest.front());
      rest.remove_prefix(1);
    }
  }
  return std::string(trim(out));
}

std::string group_thousands(std::int64_t value) {
  // Unsigned negation, so even INT64_MIN has a magnitude.
  const auto raw = static_cast<unsigned long long>(value);
  const std::string digits = std::to_string(value < 0 ? 0ULL - raw : raw);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  });
  return out;
}

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

}  // namespace onshi::util
