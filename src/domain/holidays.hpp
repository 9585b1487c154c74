#pragma once
// Japanese national holidays under 国民の祝日に関する法律 (昭和23年法律第178号) and the one-off
// laws that added or moved days, computed for 1948 through 2099. docs/domain.md lists every rule
// with its source; tests/unit/domain/holidays_test.cpp compares against the Cabinet Office list.
#include <chrono>
#include <string_view>
#include <vector>

namespace onshi::domain {

// Years the rules are known for: the law took effect on 1948-07-20, and the equinox formula is only
// good through 2099.
inline constexpr int first_holiday_year = 1948;
inline constexpr int last_holiday_year = 2099;

enum class HolidayKind {
  new_years_day,             // 元日
  coming_of_age_day,         // 成人の日
  national_foundation_day,   // 建国記念の日
  emperors_birthday,         // 天皇誕生日
  vernal_equinox_day,        // 春分の日
  showa_day,                 // 昭和の日
  greenery_day,              // みどりの日
  constitution_day,          // 憲法記念日
  childrens_day,             // こどもの日
  marine_day,                // 海の日
  mountain_day,              // 山の日
  respect_for_the_aged_day,  // 敬老の日
  autumnal_equinox_day,      // 秋分の日
  health_sports_day,         // 体育の日 (until 2019)
  sports_day,                // スポーツの日 (from 2020)
  culture_day,               // 文化の日
  labour_thanksgiving_day,   // 勤労感謝の日
  imperial_wedding,          // 結婚の儀 (1959-04-10, 1993-06-09)
  state_funeral,             // 大喪の礼 (1989-02-24)
  enthronement_ceremony,     // 即位礼正殿の儀 (1990-11-12, 2019-10-22)
  enthronement_day,          // 即位の日 (2019-05-01)
  substitute_holiday,        // 振替休日: a holiday on Sunday moves to the next non-holiday
  citizens_holiday,          // 国民の休日: a day between two holidays
};

// The day's legal name as the Cabinet Office publishes it (振替休日 and 国民の休日 are both "休日"
// there; onshi names them apart because operators get asked why a day is off). These are proper
// nouns fixed by law, i.e. data, not user-interface messages.
std::string_view holiday_name(HolidayKind kind);

// Stable ASCII identifier, e.g. "substitute_holiday", for JSON and logs.
std::string_view holiday_key(HolidayKind kind);

struct Holiday {
  std::chrono::year_month_day date;
  HolidayKind kind;
  std::string_view name() const { return holiday_name(kind); }
  friend bool operator==(const Holiday&, const Holiday&) = default;
};

// All holidays of `year`, in date order; empty outside first_holiday_year..last_holiday_year.
std::vector<Holiday> national_holidays(int year);

// Day of March / September of 春分日 / 秋分日 by the usual approximation of the astronomical
// equinox (valid 1900-2099); the official date is announced each February for the next year.
int vernal_equinox_day_of_march(int year);
int autumnal_equinox_day_of_september(int year);

}  // namespace onshi::domain
