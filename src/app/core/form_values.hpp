#pragma once
// Checks shared by the application forms. Each returns the cleaned value or the message key of
// what is wrong ("FIELD.empty", "FIELD.too_long", ...), for the form to show beside the field.
#include <chrono>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "app/core/services.hpp"

namespace onshi::app {

// Today's date in Japan (UTC+9): application dates and deadlines are Japanese calendar days.
std::chrono::year_month_day today_in_japan(const Services& s);
// The date in Japan of a stored time (milliseconds since the epoch).
std::chrono::year_month_day date_in_japan(std::int64_t unix_ms);

// NFKC, trimmed, 1..100 characters, no control characters.
std::expected<std::string, std::string> plain_text(std::string_view typed, std::string_view field);

// The idempotency key a rendered form carried (at most 64 characters), or a fresh random one for
// a client that sent none: the same key never submits twice.
std::string idempotency_key_of(std::string_view posted);

// A whole number typed in any width, min..max.
std::expected<int, std::string> count_in_range(std::string_view typed, std::string_view field,
                                               int min, int max);

}  // namespace onshi::app
