#include "app/core/dates_shown.hpp"

#include <fmt/format.h>

#include <stdexcept>
#include <vector>

#include "app/core/form_values.hpp"
#include "domain/calendar_date.hpp"

namespace onshi::app {
namespace {

// The catalogue lists the weekdays from Sunday, comma-separated (「日,月,火,水,木,金,土」).
std::string weekday_name(const Messages& m, std::chrono::year_month_day date) {
  const std::string& names = m.get("date.weekdays");
  std::vector<std::string_view> parts;
  std::string_view rest = names;
  for (std::size_t comma; (comma = rest.find(',')) != std::string_view::npos;
       rest.remove_prefix(comma + 1))
    parts.push_back(rest.substr(0, comma));
  parts.push_back(rest);
  if (parts.size() != 7) throw std::logic_error("date.weekdays must list seven names");
  return std::string(parts.at(std::chrono::weekday{std::chrono::sys_days{date}}.c_encoding()));
}

}  // namespace

std::string date_shown(const Messages& m, std::chrono::year_month_day date) {
  return fmt::format(fmt::runtime(m.get("date.shown")),
                     fmt::arg("year", static_cast<int>(date.year())),
                     fmt::arg("month", static_cast<unsigned>(date.month())),
                     fmt::arg("day", static_cast<unsigned>(date.day())),
                     fmt::arg("weekday", weekday_name(m, date)));
}

std::string date_shown(const Messages& m, std::string_view iso) {
  const auto date = domain::parse_date(iso);
  return date ? date_shown(m, *date) : std::string(iso);
}

std::string time_shown(const Messages& m, std::int64_t unix_ms) {
  using namespace std::chrono;
  const auto in_japan = floor<minutes>(sys_time<milliseconds>{milliseconds{unix_ms}} + hours{9});
  const hh_mm_ss clock{in_japan - floor<days>(in_japan)};
  return fmt::format(fmt::runtime(m.get("date.time_shown")),
                     fmt::arg("date", date_shown(m, date_in_japan(unix_ms))),
                     fmt::arg("hour", clock.hours().count()),
                     fmt::arg("minute", clock.minutes().count()));
}

}  // namespace onshi::app
