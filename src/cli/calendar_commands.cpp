// `onshi calendar holidays FROM_YEAR TO_YEAR` and `onshi calendar add-business-days DATE N`:
// operators use them to tell a clinic when its notice letter should arrive
// (domain/business_calendar).
#include <charconv>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "domain/business_calendar.hpp"
#include "domain/calendar_date.hpp"

namespace onshi::cli {

namespace {

// Usage errors end the command with exit status 2 (as CLI11 does for its own usage errors); the
// message goes to stderr so that stdout stays a clean list for scripts.
[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "onshi calendar: " << message << '\n';
  throw CLI::RuntimeError(2);
}

int parse_int(const std::string& text, const char* what) {
  int value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end) usage_error(std::string(what) + " is not a number: " + text);
  return value;
}

int parse_year(const std::string& text, const char* what) {
  const int y = parse_int(text, what);
  if (y < domain::first_holiday_year || y > domain::last_holiday_year) {
    usage_error(std::string(what) + " must be between " +
                std::to_string(domain::first_holiday_year) + " and " +
                std::to_string(domain::last_holiday_year) + ": " + text);
  }
  return y;
}

struct CalendarArgs {
  std::string from_year;
  std::string to_year;
  std::string date;
  std::string count;
};

}  // namespace

void register_calendar_commands(CLI::App& root) {
  auto args = std::make_shared<CalendarArgs>();
  auto* calendar = root.add_subcommand(
      "calendar",
      "Japanese national holidays and the fund's business days (weekends, holidays and the "
      "12/29-1/3 closure are not business days)");
  calendar->require_subcommand(1);

  auto* holidays = calendar->add_subcommand(
      "holidays",
      "Print every national holiday (国民の祝日, 振替休日, 国民の休日) of FROM_YEAR..TO_YEAR, one "
      "'YYYY-MM-DD name' line each; years 1948-2099");
  holidays->add_option("FROM_YEAR", args->from_year, "First year, e.g. 2025")->required();
  holidays->add_option("TO_YEAR", args->to_year, "Last year (inclusive), e.g. 2026")->required();
  holidays->callback([args] {
    const int from = parse_year(args->from_year, "FROM_YEAR");
    const int to = parse_year(args->to_year, "TO_YEAR");
    if (from > to) usage_error("FROM_YEAR must not be after TO_YEAR");
    const domain::BusinessCalendar business;
    for (const domain::Holiday& h : business.holidays(from, to)) {
      std::cout << domain::format_date(h.date) << ' ' << h.name() << '\n';
    }
  });

  auto* add = calendar->add_subcommand(
      "add-business-days",
      "Print the date N business days after DATE (DATE itself is not counted): "
      "'add-business-days 2024-03-18 5' is when a notice letter applied for on 2024-03-18 "
      "should arrive ('約5営業日'). A negative N counts backwards");
  add->add_option("DATE", args->date, "Start date, YYYY-MM-DD")->required();
  add->add_option("N", args->count, "Number of business days")->required();
  add->callback([args] {
    const auto date = domain::parse_date(args->date);
    if (!date) usage_error("DATE is not a valid YYYY-MM-DD date: " + args->date);
    const int n = parse_int(args->count, "N");
    const domain::BusinessCalendar business;
    const auto result = business.add_business_days(*date, n);
    if (!result) {
      usage_error("the calendar covers " +
                  domain::format_date(domain::BusinessCalendar::first_day) + " to " +
                  domain::format_date(domain::BusinessCalendar::last_day) + " only");
    }
    std::cout << domain::format_date(*result) << '\n';
  });
}

}  // namespace onshi::cli
