#include "domain/holidays.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "domain/calendar_date.hpp"

namespace onshi::domain {
namespace {

using namespace std::chrono;

// The Cabinet Office list (内閣府「国民の祝日について」syukujitsu.csv), converted to UTF-8; see
// tests/unit/domain/data/README.md for where it came from.
std::map<std::string, std::string> official_holidays() {
  std::ifstream in(std::string(ONSHI_SOURCE_DIR) + "/tests/unit/domain/data/syukujitsu.csv");
  std::map<std::string, std::string> out;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto comma = line.find(',');
    if (comma == std::string::npos) continue;
    auto date = parse_date(line.substr(0, comma));
    if (!date) continue;
    out.emplace(format_date(*date), line.substr(comma + 1));
  }
  return out;
}

// The Cabinet Office calls both 振替休日 and 国民の休日 just 休日, and the 2019 enthronement days
// 休日（祝日扱い）; otherwise the names must be identical.
std::string official_name_of(const Holiday& h) {
  switch (h.kind) {
    case HolidayKind::substitute_holiday:
    case HolidayKind::citizens_holiday:
      return "休日";
    case HolidayKind::enthronement_day:
      return "休日（祝日扱い）";
    case HolidayKind::enthronement_ceremony:
      return h.date.year() == year{2019} ? "休日（祝日扱い）" : std::string(h.name());
    case HolidayKind::health_sports_day:
      return h.date.year() == year{2019} ? "体育の日（スポーツの日）" : std::string(h.name());
    default:
      return std::string(h.name());
  }
}

TEST(NationalHolidays, MatchTheCabinetOfficeListForEveryYearItCovers) {
  const auto official = official_holidays();
  ASSERT_GT(official.size(), 1000U) << "test data missing";
  const int first = std::stoi(official.begin()->first.substr(0, 4));
  const int last = std::stoi(official.rbegin()->first.substr(0, 4));
  EXPECT_EQ(first, 1955);
  std::map<std::string, std::string> computed;
  for (int y = first; y <= last; ++y) {
    for (const Holiday& h : national_holidays(y)) {
      computed.emplace(format_date(h.date), official_name_of(h));
    }
  }
  for (const auto& [date, name] : official) {
    auto it = computed.find(date);
    if (it == computed.end()) {
      ADD_FAILURE() << "missing " << date << " " << name;
    } else {
      EXPECT_EQ(it->second, name) << date;
    }
  }
  for (const auto& [date, name] : computed) {
    EXPECT_TRUE(official.contains(date)) << "extra " << date << " " << name;
  }
}

std::vector<std::string> dates_of(int y) {
  std::vector<std::string> out;
  for (const Holiday& h : national_holidays(y)) out.push_back(format_date(h.date));
  return out;
}

std::string name_on(int y, unsigned m, unsigned d) {
  for (const Holiday& h : national_holidays(y)) {
    if (h.date == year_month_day{year{y}, month{m}, day{d}}) return std::string(h.name());
  }
  return "";
}

TEST(NationalHolidays, OnlyFromTheLawsEntryIntoForceIn1948) {
  EXPECT_EQ(dates_of(1948), (std::vector<std::string>{"1948-09-23", "1948-11-03", "1948-11-23"}));
  EXPECT_EQ(name_on(1949, 1, 1), "元日");
  EXPECT_TRUE(national_holidays(1947).empty());
  EXPECT_TRUE(national_holidays(2100).empty());
}

TEST(NationalHolidays, SundayHolidayIsFollowedByASubstituteDay) {
  // 2023-01-01 元日 fell on a Sunday: Monday 2023-01-02 is 振替休日.
  EXPECT_EQ(name_on(2023, 1, 1), "元日");
  EXPECT_EQ(name_on(2023, 1, 2), "振替休日");
  // Since 2007 the substitute skips following holidays: 2008-05-04 (Sunday) -> 2008-05-06.
  EXPECT_EQ(name_on(2008, 5, 6), "振替休日");
  // The first ever substitute day, after the 1973-04-12 amendment.
  EXPECT_EQ(name_on(1973, 4, 30), "振替休日");
  // 1973-02-11 was a Sunday before the amendment: no substitute.
  EXPECT_EQ(name_on(1973, 2, 12), "");
  // 2021-08-08 山の日 (moved for the Olympics) on a Sunday -> 08-09.
  EXPECT_EQ(name_on(2021, 8, 9), "振替休日");
}

TEST(NationalHolidays, CitizensHolidayBetweenTwoHolidays) {
  EXPECT_EQ(name_on(1988, 5, 4), "国民の休日");
  EXPECT_EQ(name_on(2009, 9, 22), "国民の休日");  // 敬老の日 21st, 秋分の日 23rd
  EXPECT_EQ(name_on(2015, 9, 22), "国民の休日");
  EXPECT_EQ(name_on(2026, 9, 22), "国民の休日");
  EXPECT_EQ(name_on(1986, 5, 4), "");  // a Sunday: excluded before 2007
}

TEST(NationalHolidays, TheTenDayGoldenWeekOf2019) {
  EXPECT_EQ(name_on(2019, 4, 29), "昭和の日");
  EXPECT_EQ(name_on(2019, 4, 30), "国民の休日");
  EXPECT_EQ(name_on(2019, 5, 1), "即位の日");
  EXPECT_EQ(name_on(2019, 5, 2), "国民の休日");
  EXPECT_EQ(name_on(2019, 5, 3), "憲法記念日");
  EXPECT_EQ(name_on(2019, 5, 4), "みどりの日");
  EXPECT_EQ(name_on(2019, 5, 5), "こどもの日");
  EXPECT_EQ(name_on(2019, 5, 6), "振替休日");
  EXPECT_EQ(name_on(2019, 10, 22), "即位礼正殿の儀");
  EXPECT_EQ(name_on(2019, 12, 23), "");  // no 天皇誕生日 in 2019
}

TEST(NationalHolidays, OneOffDays) {
  EXPECT_EQ(name_on(1959, 4, 10), "結婚の儀");
  EXPECT_EQ(name_on(1989, 2, 24), "大喪の礼");
  EXPECT_EQ(name_on(1990, 11, 12), "即位礼正殿の儀");
  EXPECT_EQ(name_on(1993, 6, 9), "結婚の儀");
  EXPECT_EQ(name_on(2020, 7, 23), "海の日");
  EXPECT_EQ(name_on(2020, 7, 24), "スポーツの日");
  EXPECT_EQ(name_on(2020, 8, 10), "山の日");
  EXPECT_EQ(name_on(2020, 10, 12), "");
  EXPECT_EQ(name_on(2021, 7, 22), "海の日");
  EXPECT_EQ(name_on(2021, 7, 23), "スポーツの日");
}

TEST(NationalHolidays, HappyMondaysAndRenames) {
  EXPECT_EQ(name_on(1999, 1, 15), "成人の日");
  EXPECT_EQ(name_on(2000, 1, 10), "成人の日");  // 2nd Monday
  EXPECT_EQ(name_on(2002, 7, 20), "海の日");
  EXPECT_EQ(name_on(2003, 7, 21), "海の日");  // 3rd Monday
  EXPECT_EQ(name_on(2003, 9, 15), "敬老の日");
  EXPECT_EQ(name_on(2019, 10, 14), "体育の日");
  EXPECT_EQ(name_on(2022, 10, 10), "スポーツの日");
  EXPECT_EQ(name_on(1988, 4, 29), "天皇誕生日");
  EXPECT_EQ(name_on(1989, 4, 29), "みどりの日");
  EXPECT_EQ(name_on(2007, 4, 29), "昭和の日");
  EXPECT_EQ(name_on(2007, 5, 4), "みどりの日");
  EXPECT_EQ(name_on(2020, 2, 23), "天皇誕生日");
}

TEST(NationalHolidays, EquinoxesBeyondThePublishedList) {
  // Dates from the 国立天文台 暦要項 and its long-range table.
  EXPECT_EQ(vernal_equinox_day_of_march(2030), 20);
  EXPECT_EQ(autumnal_equinox_day_of_september(2030), 23);
  EXPECT_EQ(autumnal_equinox_day_of_september(2032), 22);
  EXPECT_EQ(vernal_equinox_day_of_march(2099), 20);
  EXPECT_EQ(vernal_equinox_day_of_march(1960), 20);
  EXPECT_EQ(autumnal_equinox_day_of_september(1979), 24);
}

TEST(NationalHolidays, EveryYearIsSortedAndWithoutDuplicates) {
  for (int y = first_holiday_year; y <= last_holiday_year; ++y) {
    const auto days = national_holidays(y);
    std::set<std::string> seen;
    for (std::size_t i = 0; i < days.size(); ++i) {
      EXPECT_TRUE(seen.insert(format_date(days[i].date)).second) << y;
      if (i > 0) {
        EXPECT_LT(days[i - 1].date, days[i].date) << y;
      }
      EXPECT_FALSE(holiday_key(days[i].kind).empty());
    }
  }
}

}  // namespace
}  // namespace onshi::domain
