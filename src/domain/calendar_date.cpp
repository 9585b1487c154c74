#include "domain/calendar_date.hpp"

#include <charconv>
#include <cstdio>

#include "util/text.hpp"

namespace onshi::domain {

using namespace std::chrono;

std::string_view error_key(DateError error) {
  switch (error) {
    case DateError::malformed:
      return "date.malformed";
    case DateError::invalid_date:
      return "date.invalid_date";
  }
  return "date.invalid";
}

namespace {

// Reads 1..max_digits ASCII digits; advances `text`.
bool read_number(std::string_view& text, std::size_t max_digits, int& out) {
  std::size_t n = 0;
  while (n < text.size() && n < max_digits && text[n] >= '0' && text[n] <= '9') ++n;
  if (n == 0) return false;
  std::from_chars(text.data(), text.data() + n, out);
  text.remove_prefix(n);
  return true;
}

}  // namespace

std::expected<year_month_day, DateError> parse_date(std::string_view typed) {
  const std::string normalized = util::normalize_code_input(typed);
  std::string_view text = normalized;
  int y = 0;
  int m = 0;
  int d = 0;
  if (text.size() < 4 || !read_number(text, 4, y) || y < 1000) {
    return std::unexpected(DateError::malformed);
  }
  if (text.empty() || (text.front() != '-' && text.front() != '/')) {
    return std::unexpected(DateError::malformed);
  }
  const char separator = text.front();
  text.remove_prefix(1);
  if (!read_number(text, 2, m) || text.empty() || text.front() != separator) {
    return std::unexpected(DateError::malformed);
  }
  text.remove_prefix(1);
  if (!read_number(text, 2, d) || !text.empty()) return std::unexpected(DateError::malformed);
  const year_month_day date{year{y}, month{static_cast<unsigned>(m)},
                            day{static_cast<unsigned>(d)}};
  if (!date.ok()) return std::unexpected(DateError::invalid_date);
  return date;
}

std::string format_date(year_month_day date) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buffer;
}

}  // namespace onshi::domain
