#pragma once
// Business days of the fund that runs the portal and the CA: not Saturdays, Sundays, national
// holidays (domain/holidays.hpp) or the year-end closure 12/29-1/3. The user guide's "約5営業日"
// for the notice letter is add_business_days(applied_on, 5).
#include <chrono>
#include <expected>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "domain/holidays.hpp"

namespace onshi::domain {

enum class CalendarError {
  out_of_range,  // a date (given or reached) outside 1948-01-01 .. 2099-12-31
};

std::string_view error_key(CalendarError error);  // "calendar.out_of_range"

class BusinessCalendar {
 public:
  // Computes every holiday of 1948-2099 once (about 2,500 days); keep one instance and share it.
  BusinessCalendar();

  static constexpr std::chrono::year_month_day first_day{std::chrono::year{first_holiday_year},
                                                         std::chrono::January, std::chrono::day{1}};
  static constexpr std::chrono::year_month_day last_day{
      std::chrono::year{last_holiday_year}, std::chrono::December, std::chrono::day{31}};
  static bool in_range(std::chrono::year_month_day date);

  // The national holiday on `date`, if any.
  std::optional<Holiday> holiday(std::chrono::year_month_day date) const;
  // National holidays of from_year..to_year in date order (years outside 1948-2099 contribute
  // none).
  std::vector<Holiday> holidays(int from_year, int to_year) const;

  static bool is_weekend(std::chrono::year_month_day date);
  // 12/29 through 1/3: the fund does no work then.
  static bool is_year_end_closure(std::chrono::year_month_day date);
  // Outside 1948-2099 only weekends and the closure are known; use in_range() to tell.
  bool is_business_day(std::chrono::year_month_day date) const;

  // The n-th business day after `date` (n > 0), before it (n < 0), or `date` itself (n == 0);
  // `date` itself is never counted, whether or not it is a business day.
  std::expected<std::chrono::year_month_day, CalendarError> add_business_days(
      std::chrono::year_month_day date, int n) const;

  // Business days d with from < d <= to (negative when to < from), so that
  // business_days_between(d, add_business_days(d, n)) == n.
  std::expected<int, CalendarError> business_days_between(std::chrono::year_month_day from,
                                                          std::chrono::year_month_day to) const;

 private:
  std::unordered_map<int, Holiday> by_day_;  // key: days since 1970-01-01
};

}  // namespace onshi::domain
