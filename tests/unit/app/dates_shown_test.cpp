// Dates read the same on pages, mails and letters: 2026年12月8日（火）, with the weekday.
#include <gtest/gtest.h>

#include <chrono>

#include "app/core/dates_shown.hpp"
#include "app/core/messages.hpp"

namespace {

using namespace std::chrono;
using onshi::app::date_shown;
using onshi::app::Messages;
using onshi::app::time_shown;

const Messages& catalogue() {
  static const Messages m =
      Messages::load(std::string(ONSHI_SOURCE_DIR) + "/data/messages.ja.toml");
  return m;
}

TEST(DatesShown, CarryTheWeekdayOfEachDay) {
  EXPECT_EQ(date_shown(catalogue(), year{2026} / December / 8), "2026年12月8日（火）");
  EXPECT_EQ(date_shown(catalogue(), year{2026} / December / 6), "2026年12月6日（日）");
  EXPECT_EQ(date_shown(catalogue(), year{2027} / January / 2), "2027年1月2日（土）");
  EXPECT_EQ(date_shown(catalogue(), year{2028} / February / 29), "2028年2月29日（火）");
}

TEST(DatesShown, ReadIsoDatesAndLeaveOtherTextAlone) {
  EXPECT_EQ(date_shown(catalogue(), "2027-01-07"), "2027年1月7日（木）");
  EXPECT_EQ(date_shown(catalogue(), "—"), "—");
  EXPECT_EQ(date_shown(catalogue(), ""), "");
}

TEST(DatesShown, TimesAreInJapanWithTwoDigitMinutes) {
  // 2026-12-07 15:05 UTC is 2026-12-08 00:05 in Japan: the date moves with the time zone.
  const auto at = sys_days{year{2026} / December / 7} + hours{15} + minutes{5};
  const auto ms = duration_cast<milliseconds>(at.time_since_epoch()).count();
  EXPECT_EQ(time_shown(catalogue(), ms), "2026年12月8日（火） 0:05");
  EXPECT_EQ(time_shown(catalogue(), ms + 10 * 3600 * 1000), "2026年12月8日（火） 10:05");
}

}  // namespace
