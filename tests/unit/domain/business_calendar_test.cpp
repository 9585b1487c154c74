#include "domain/business_calendar.hpp"

#include <gtest/gtest.h>

#include "domain/calendar_date.hpp"
#include "support/error_of.hpp"

namespace onshi::domain {
namespace {

using onshi::test::error_of;

using namespace std::chrono;

year_month_day d(std::string_view text) {
  return parse_date(text).value();
}

const BusinessCalendar& calendar() {
  static const BusinessCalendar instance;
  return instance;
}

TEST(BusinessCalendar, WeekendsHolidaysAndClosureAreNotBusinessDays) {
  EXPECT_TRUE(calendar().is_business_day(d("2024-03-19")));   // Tuesday
  EXPECT_FALSE(calendar().is_business_day(d("2024-03-20")));  // 春分の日
  EXPECT_FALSE(calendar().is_business_day(d("2024-03-23")));  // Saturday
  EXPECT_FALSE(calendar().is_business_day(d("2024-03-24")));  // Sunday
  EXPECT_TRUE(calendar().is_business_day(d("2024-12-27")));   // Friday, last working day
  for (auto day :
       {"2024-12-29", "2024-12-30", "2024-12-31", "2025-01-01", "2025-01-02", "2025-01-03"}) {
    EXPECT_FALSE(calendar().is_business_day(d(day))) << day;
    EXPECT_TRUE(BusinessCalendar::is_year_end_closure(d(day))) << day;
  }
  EXPECT_TRUE(calendar().is_business_day(d("2025-01-06")));
  EXPECT_FALSE(BusinessCalendar::is_year_end_closure(d("2024-12-28")));
  EXPECT_FALSE(BusinessCalendar::is_year_end_closure(d("2025-01-04")));
}

TEST(BusinessCalendar, HolidayLookup) {
  auto h = calendar().holiday(d("2023-01-02"));
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->kind, HolidayKind::substitute_holiday);
  EXPECT_FALSE(calendar().holiday(d("2023-01-03")).has_value());  // closure, not a holiday
}

TEST(BusinessCalendar, AboutFiveBusinessDaysForTheNoticeLetter) {
  // Applied on Monday 2024-03-18: 19, (20 春分の日), 21, 22, (23, 24), 25, 26.
  EXPECT_EQ(calendar().add_business_days(d("2024-03-18"), 5).value(), d("2024-03-26"));
  // Applied on a Saturday: the weekend itself does not count.
  EXPECT_EQ(calendar().add_business_days(d("2024-03-16"), 1).value(), d("2024-03-18"));
  // Across the year end: 2024-12-27 (Fri) + 1 = 2025-01-06 (Mon).
  EXPECT_EQ(calendar().add_business_days(d("2024-12-27"), 1).value(), d("2025-01-06"));
  // Across the 2019 ten-day Golden Week: 2019-04-26 (Fri) + 1 = 2019-05-07 (Tue).
  EXPECT_EQ(calendar().add_business_days(d("2019-04-26"), 1).value(), d("2019-05-07"));
}

TEST(BusinessCalendar, TheTenDayGoldenWeekOf2019HasNoBusinessDay) {
  for (sys_days day = sys_days{d("2019-04-27")}; day <= sys_days{d("2019-05-06")}; day += days{1}) {
    EXPECT_FALSE(calendar().is_business_day(year_month_day{day}))
        << format_date(year_month_day{day});
  }
  EXPECT_EQ(calendar().business_days_between(d("2019-04-26"), d("2019-05-06")).value(), 0);
}

TEST(BusinessCalendar, ZeroAndNegativeSteps) {
  EXPECT_EQ(calendar().add_business_days(d("2024-03-23"), 0).value(), d("2024-03-23"));
  EXPECT_EQ(calendar().add_business_days(d("2024-03-25"), -1).value(), d("2024-03-22"));
  EXPECT_EQ(calendar().add_business_days(d("2025-01-06"), -1).value(), d("2024-12-27"));
}

TEST(BusinessCalendar, BetweenIsTheInverseOfAdd) {
  for (auto start : {"2019-04-25", "2023-12-28", "2024-02-29", "2021-07-21", "2024-03-16"}) {
    for (int n : {-12, -5, -1, 0, 1, 2, 5, 10, 40}) {
      const auto end = calendar().add_business_days(d(start), n).value();
      EXPECT_EQ(calendar().business_days_between(d(start), end).value(), n) << start << " " << n;
    }
  }
  EXPECT_EQ(calendar().business_days_between(d("2024-03-18"), d("2024-03-18")).value(), 0);
  EXPECT_EQ(calendar().business_days_between(d("2024-03-18"), d("2024-03-26")).value(), 5);
  EXPECT_EQ(calendar().business_days_between(d("2024-03-26"), d("2024-03-18")).value(), -5);
}

TEST(BusinessCalendar, LeapDays) {
  EXPECT_TRUE(calendar().is_business_day(d("2024-02-29")));  // Thursday
  EXPECT_EQ(calendar().add_business_days(d("2024-02-28"), 1).value(), d("2024-02-29"));
  EXPECT_EQ(calendar().add_business_days(d("2023-02-28"), 1).value(), d("2023-03-01"));
}

TEST(BusinessCalendar, OutOfRange) {
  EXPECT_EQ(error_of(calendar().add_business_days(d("1947-12-31"), 1)),
            CalendarError::out_of_range);
  EXPECT_EQ(error_of(calendar().add_business_days(d("2099-12-28"), 5)),
            CalendarError::out_of_range);
  EXPECT_EQ(error_of(calendar().business_days_between(d("2024-01-01"), d("2100-01-01"))),
            CalendarError::out_of_range);
  EXPECT_EQ(error_key(CalendarError::out_of_range), "calendar.out_of_range");
  EXPECT_EQ(calendar().holidays(2099, 2101).size(), national_holidays(2099).size());
}

TEST(CalendarDate, ParsesAndValidatesLeapDays) {
  EXPECT_EQ(format_date(d("2024-02-29")), "2024-02-29");
  EXPECT_EQ(error_of(parse_date("2023-02-29")), DateError::invalid_date);
  EXPECT_EQ(error_of(parse_date("1900-02-29")), DateError::invalid_date);  // century, not leap
  EXPECT_TRUE(parse_date("2000-02-29").has_value());                       // 400-year leap
  EXPECT_EQ(error_of(parse_date("2024-04-31")), DateError::invalid_date);
  EXPECT_EQ(error_of(parse_date("2024-13-01")), DateError::invalid_date);
  EXPECT_EQ(error_of(parse_date("2024-00-10")), DateError::invalid_date);
}

TEST(CalendarDate, AcceptsSlashesAndFullWidth) {
  EXPECT_EQ(format_date(d("2024/3/5")), "2024-03-05");
  EXPECT_EQ(format_date(d("２０２４－０３－０５")), "2024-03-05");
  EXPECT_EQ(format_date(d(" 2024-03-05 ")), "2024-03-05");
}

TEST(CalendarDate, RejectsMalformedInput) {
  for (auto bad : {"", "2024", "2024-03", "2024-03-05x", "24-03-05", "2024-03/05", "2024--03-05",
                   "2024-003-05", "abcd-ef-gh", "2024年3月5日"}) {
    EXPECT_EQ(error_of(parse_date(bad)), DateError::malformed) << bad;
  }
}

}  // namespace
}  // namespace onshi::domain
