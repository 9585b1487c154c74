#pragma once
// Calendar dates as people and operators type them ("2024-02-29", "２０２４/２/２９").
#include <chrono>
#include <expected>
#include <string>
#include <string_view>

namespace onshi::domain {

enum class DateError {
  malformed,     // not YYYY-MM-DD (or YYYY/MM/DD)
  invalid_date,  // no such day, e.g. 2023-02-29 or 2024-04-31
};

std::string_view error_key(DateError error);  // "date.malformed", "date.invalid_date"

// Accepts YYYY-MM-DD and YYYY/M/D with full-width digits and surrounding spaces (NFKC first).
std::expected<std::chrono::year_month_day, DateError> parse_date(std::string_view typed);

// "2024-02-29".
std::string format_date(std::chrono::year_month_day date);

}  // namespace onshi::domain
