#include "domain/holidays.hpp"

#include <algorithm>
#include <cmath>

namespace onshi::domain {

using namespace std::chrono;

std::string_view holiday_name(HolidayKind kind) {
  switch (kind) {
    case HolidayKind::new_years_day:
      return "元日";
    case HolidayKind::coming_of_age_day:
      return "成人の日";
    case HolidayKind::national_foundation_day:
      return "建国記念の日";
    case HolidayKind::emperors_birthday:
      return "天皇誕生日";
    case HolidayKind::vernal_equinox_day:
      return "春分の日";
    case HolidayKind::showa_day:
      return "昭和の日";
    case HolidayKind::greenery_day:
      return "みどりの日";
    case HolidayKind::constitution_day:
      return "憲法記念日";
    case HolidayKind::childrens_day:
      return "こどもの日";
    case HolidayKind::marine_day:
      return "海の日";
    case HolidayKind::mountain_day:
      return "山の日";
    case HolidayKind::respect_for_the_aged_day:
      return "敬老の日";
    case HolidayKind::autumnal_equinox_day:
      return "秋分の日";
    case HolidayKind::health_sports_day:
      return "体育の日";
    case HolidayKind::sports_day:
      return "スポーツの日";
    case HolidayKind::culture_day:
      return "文化の日";
    case HolidayKind::labour_thanksgiving_day:
      return "勤労感謝の日";
    case HolidayKind::imperial_wedding:
      return "結婚の儀";
    case HolidayKind::state_funeral:
      return "大喪の礼";
    case HolidayKind::enthronement_ceremony:
      return "即位礼正殿の儀";
    case HolidayKind::enthronement_day:
      return "即位の日";
    case HolidayKind::substitute_holiday:
      return "振替休日";
    case HolidayKind::citizens_holiday:
      return "国民の休日";
  }
  return "";
}

std::string_view holiday_key(HolidayKind kind) {
  switch (kind) {
    case HolidayKind::new_years_day:
      return "new_years_day";
    case HolidayKind::coming_of_age_day:
      return "coming_of_age_day";
    case HolidayKind::national_foundation_day:
      return "national_foundation_day";
    case HolidayKind::emperors_birthday:
      return "emperors_birthday";
    case HolidayKind::vernal_equinox_day:
      return "vernal_equinox_day";
    case HolidayKind::showa_day:
      return "showa_day";
    case HolidayKind::greenery_day:
      return "greenery_day";
    case HolidayKind::constitution_day:
      return "constitution_day";
    case HolidayKind::childrens_day:
      return "childrens_day";
    case HolidayKind::marine_day:
      return "marine_day";
    case HolidayKind::mountain_day:
      return "mountain_day";
    case HolidayKind::respect_for_the_aged_day:
      return "respect_for_the_aged_day";
    case HolidayKind::autumnal_equinox_day:
      return "autumnal_equinox_day";
    case HolidayKind::health_sports_day:
      return "health_sports_day";
    case HolidayKind::sports_day:
      return "sports_day";
    case HolidayKind::culture_day:
      return "culture_day";
    case HolidayKind::labour_thanksgiving_day:
      return "labour_thanksgiving_day";
    case HolidayKind::imperial_wedding:
      return "imperial_wedding";
    case HolidayKind::state_funeral:
      return "state_funeral";
    case HolidayKind::enthronement_ceremony:
      return "enthronement_ceremony";
    case HolidayKind::enthronement_day:
      return "enthronement_day";
    case HolidayKind::substitute_holiday:
      return "substitute_holiday";
    case HolidayKind::citizens_holiday:
      return "citizens_holiday";
  }
  return "";
}

namespace {

// The dated amendments that change how the computed days interact.
constexpr year_month_day law_in_force{year{1948}, July, day{20}};
constexpr year_month_day substitute_from{year{1973}, April, day{12}};   // 振替休日 introduced
constexpr year_month_day citizens_from{year{1985}, December, day{27}};  // 国民の休日 introduced
constexpr int substitute_chain_from_year = 2007;  // 振替休日 skips over following holidays

// Leap-year correction of the equinox formula. Before 1980 the published formula counts from 1983
// and its int() truncates toward zero (as C++ division does); checked against the Cabinet Office
// list for 1955-1979, where flooring would be a day late in most years.
int leap_correction(int y) {
  return y < 1980 ? (y - 1983) / 4 : (y - 1980) / 4;
}

year_month_day nth_monday(int y, month m, unsigned n) {
  return year_month_day{sys_days{year{y} / m / weekday_indexed{Monday, n}}};
}

struct Rules {
  int y;
  std::vector<Holiday> days;
  void add(month m, unsigned d, HolidayKind kind) { days.push_back({year{y} / m / day{d}, kind}); }
  void add(year_month_day date, HolidayKind kind) { days.push_back({date, kind}); }
};

// The days named by the law (and the one-off laws) themselves, before 振替休日 and 国民の休日.
std::vector<Holiday> named_days(int y) {
  Rules r{y, {}};
  r.add(January, 1, HolidayKind::new_years_day);
  if (y < 2000) {
    r.add(January, 15, HolidayKind::coming_of_age_day);
  } else {
    r.add(nth_monday(y, January, 2), HolidayKind::coming_of_age_day);  // Happy Monday, 2000
  }
  if (y >= 1967) r.add(February, 11, HolidayKind::national_foundation_day);
  if (y >= 2020) r.add(February, 23, HolidayKind::emperors_birthday);
  r.add(March, static_cast<unsigned>(vernal_equinox_day_of_march(y)),
        HolidayKind::vernal_equinox_day);
  if (y <= 1988) {
    r.add(April, 29, HolidayKind::emperors_birthday);
  } else if (y <= 2006) {
    r.add(April, 29, HolidayKind::greenery_day);
  } else {
    r.add(April, 29, HolidayKind::showa_day);
  }
  r.add(May, 3, HolidayKind::constitution_day);
  if (y >= 2007) r.add(May, 4, HolidayKind::greenery_day);
  r.add(May, 5, HolidayKind::childrens_day);
  if (y == 2020) {
    r.add(July, 23, HolidayKind::marine_day);  // moved for the Tokyo Olympics (令和元年法律第34号)
  } else if (y == 2021) {
    r.add(July, 22, HolidayKind::marine_day);  // moved again (令和2年法律第68号)
  } else if (y >= 2003) {
    r.add(nth_monday(y, July, 3), HolidayKind::marine_day);
  } else if (y >= 1996) {
    r.add(July, 20, HolidayKind::marine_day);
  }
  if (y == 2020) {
    r.add(August, 10, HolidayKind::mountain_day);
  } else if (y == 2021) {
    r.add(August, 8, HolidayKind::mountain_day);
  } else if (y >= 2016) {
    r.add(August, 11, HolidayKind::mountain_day);
  }
  if (y >= 2003) {
    r.add(nth_monday(y, September, 3), HolidayKind::respect_for_the_aged_day);
  } else if (y >= 1966) {
    r.add(September, 15, HolidayKind::respect_for_the_aged_day);
  }
  r.add(September, static_cast<unsigned>(autumnal_equinox_day_of_september(y)),
        HolidayKind::autumnal_equinox_day);
  if (y == 2020) {
    r.add(July, 24, HolidayKind::sports_day);
  } else if (y == 2021) {
    r.add(July, 23, HolidayKind::sports_day);
  } else if (y >= 2020) {
    r.add(nth_monday(y, October, 2), HolidayKind::sports_day);
  } else if (y >= 2000) {
    r.add(nth_monday(y, October, 2), HolidayKind::health_sports_day);
  } else if (y >= 1966) {
    r.add(October, 10, HolidayKind::health_sports_day);
  }
  r.add(November, 3, HolidayKind::culture_day);
  r.add(November, 23, HolidayKind::labour_thanksgiving_day);
  if (y >= 1989 && y <= 2018) r.add(December, 23, HolidayKind::emperors_birthday);

  // One-off laws.
  if (y == 1959) r.add(April, 10, HolidayKind::imperial_wedding);
  if (y == 1989) r.add(February, 24, HolidayKind::state_funeral);
  if (y == 1990) r.add(November, 12, HolidayKind::enthronement_ceremony);
  if (y == 1993) r.add(June, 9, HolidayKind::imperial_wedding);
  if (y == 2019) {
    r.add(May, 1, HolidayKind::enthronement_day);
    r.add(October, 22, HolidayKind::enthronement_ceremony);
  }

  // In 1948 only the days after the law took effect count.
  std::erase_if(r.days, [](const Holiday& h) { return h.date < law_in_force; });
  std::ranges::sort(r.days, {}, &Holiday::date);
  return r.days;
}

bool contains(const std::vector<Holiday>& days, year_month_day date) {
  return std::ranges::any_of(days, [&](const Holiday& h) { return h.date == date; });
}

bool is_sunday(year_month_day date) {
  return weekday{sys_days{date}} == Sunday;
}

}  // namespace

int vernal_equinox_day_of_march(int y) {
  const double base = y < 1980 ? 20.8357 : 20.8431;
  return static_cast<int>(std::floor(base + 0.242194 * (y - 1980) - leap_correction(y)));
}

int autumnal_equinox_day_of_september(int y) {
  const double base = y < 1980 ? 23.2588 : 23.2488;
  return static_cast<int>(std::floor(base + 0.242194 * (y - 1980) - leap_correction(y)));
}

std::vector<Holiday> national_holidays(int y) {
  if (y < first_holiday_year || y > last_holiday_year) return {};
  const std::vector<Holiday> named = named_days(y);
  std::vector<Holiday> all = named;

  // 振替休日 (法第3条第2項): a named day on Sunday makes the next day off; since 2007 the next day
  // that is not itself a named day ("その日後においてその日に最も近い「国民の祝日」でない日").
  for (const Holiday& h : named) {
    if (!is_sunday(h.date) || h.date < substitute_from) continue;
    sys_days next = sys_days{h.date} + days{1};
    if (y >= substitute_chain_from_year) {
      while (contains(named, year_month_day{next})) next += days{1};
    } else if (contains(named, year_month_day{next})) {
      continue;  // before 2007 the next day had to be free; it never was not, but say so
    }
    all.push_back({year_month_day{next}, HolidayKind::substitute_holiday});
  }

  // 国民の休日 (法第3条第3項): a day whose day before and day after are both named days. Before
  // 2007 Sundays and 振替休日 were excluded; since 2007 any day that is not a named day qualifies.
  for (const Holiday& h : named) {
    const year_month_day candidate{sys_days{h.date} + days{1}};
    const year_month_day after{sys_days{h.date} + days{2}};
    if (candidate < citizens_from || !contains(named, after) || contains(all, candidate)) continue;
    if (y < substitute_chain_from_year && is_sunday(candidate)) continue;
    all.push_back({candidate, HolidayKind::citizens_holiday});
  }

  std::ranges::sort(all, {}, &Holiday::date);
  return all;
}

}  // namespace onshi::domain
