#pragma once
// Dates and times as people in Japan write them, the same on pages, mails and letters:
// 「2026年12月8日（火）」 and 「2026年12月8日（火） 10:00」. Forms and the database keep ISO dates.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "app/core/messages.hpp"

namespace onshi::app {

// 「2026年12月8日（火）」.
std::string date_shown(const Messages& m, std::chrono::year_month_day date);
// The same from an ISO date ("2026-12-08"); text that is no date comes back unchanged.
std::string date_shown(const Messages& m, std::string_view iso);
// 「2026年12月8日（火） 10:00」, in Japan, of a stored time (milliseconds since the epoch).
std::string time_shown(const Messages& m, std::int64_t unix_ms);

}  // namespace onshi::app
