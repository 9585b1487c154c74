#include "domain/business_calendar.hpp"

#include <algorithm>

namespace onshi::domain {

using namespace std::chrono;

std::string_view error_key(CalendarError error) {
  switch (error) {
    case CalendarError::out_of_range:
      return "calendar.out_of_range";
  }
  return "calendar.invalid";
}

namespace {
int day_number(year_month_day date) {
  return sys_days{date}.time_since_epoch().count();
}
}  // namespace

BusinessCalendar::BusinessCalendar() {
  for (int y = first_holiday_year; y <= last_holiday_year; ++y) {
    for (const Holiday& h : national_holidays(y)) by_day_.emplace(day_number(h.date), h);
  }
}

bool BusinessCalendar::in_range(year_month_day date) {
  return date.ok() && date >= first_day && date <= last_day;
}

std::optional<Holiday> BusinessCalendar::holiday(year_month_day date) const {
  const auto it = by_day_.find(day_number(date));
  if (it == by_day_.end()) return std::nullopt;
  return it->second;
}

std::vector<Holiday> BusinessCalendar::holidays(int from_year, int to_year) const {
  std::vector<Holiday> out;
  for (int y = std::max(from_year, first_holiday_year); y <= std::min(to_year, last_holiday_year);
       ++y) {
    for (const Holiday& h : national_holidays(y)) out.push_back(h);
  }
  return out;
}

bool BusinessCalendar::is_weekend(year_month_day date) {
  const weekday wd{sys_days{date}};
  return wd == Saturday || wd == Sunday;
}

bool BusinessCalendar::is_year_end_closure(year_month_day date) {
  const unsigned m = static_cast<unsigned>(date.month());
  const unsigned d = static_cast<unsigned>(date.day());
  return (m == 12 && d >= 29) || (m == 1 && d <= 3);
}

bool BusinessCalendar::is_business_day(year_month_day date) const {
  return !is_weekend(date) && !is_year_end_closure(date) && !by_day_.contains(day_number(date));
}

std::expected<year_month_day, CalendarError> BusinessCalendar::add_business_days(
    year_month_day date, int n) const {
  if (!in_range(date)) return std::unexpected(CalendarError::out_of_range);
  const days step{n >= 0 ? 1 : -1};
  sys_days current{date};
  for (int remaining = n >= 0 ? n : -n; remaining > 0;) {
    current += step;
    const year_month_day ymd{current};
    if (!in_range(ymd)) return std::unexpected(CalendarError::out_of_range);
    if (is_business_day(ymd)) --remaining;
  }
  return year_month_day{current};
}

std::expected<int, CalendarError> BusinessCalendar::business_days_between(year_month_day from,
                                                                          year_month_day to) const {
  if (!in_range(from) || !in_range(to)) return std::unexpected(CalendarError::out_of_range);
  // Forward the days counted are (from, to]; backward they are [to, from), mirroring
  // add_business_days, which never counts its starting day.
  const bool forward = from <= to;
  const sys_days first = forward ? sys_days{from} + days{1} : sys_days{to};
  const sys_days last = forward ? sys_days{to} : sys_days{from} - days{1};
  int count = 0;
  for (sys_days d = first; d <= last; d += days{1}) {
    if (is_business_day(year_month_day{d})) ++count;
  }
  return forward ? count : -count;
}

}  // namespace onshi::domain
