#include "web/http_cache.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace onshi::web {
namespace {

constexpr std::array<std::string_view, 7> kDays = {"Thu", "Fri", "Sat", "Sun",
                                                   "Mon", "Tue", "Wed"};  // 1970-01-01: Thursday
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view opaque(std::string_view tag) {
  tag = trim(tag);
  if (tag.starts_with("W/")) tag.remove_prefix(2);
  return tag;
}

std::optional<int> digits(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

std::string http_date(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(t);
  const auto day = floor<days>(secs);
  const year_month_day ymd{day};
  const hh_mm_ss hms{secs - day};
  const auto weekday_index = ((day.time_since_epoch().count() % 7) + 7) % 7;
  return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} GMT", kDays[weekday_index],
                     static_cast<unsigned>(ymd.day()),
                     kMonths[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
  using namespace std::chrono;
  text = trim(text);
  // "Sun, 06 Nov 1994 08:49:37 GMT": 29 characters at fixed places.
  if (text.size() != 29 || text[3] != ',' || text[4] != ' ' || text[7] != ' ' || text[11] != ' ' ||
      text[16] != ' ' || text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT")
    return std::nullopt;
  const auto month = std::ranges::find(kMonths, text.substr(8, 3));
  const auto d = digits(text.substr(5, 2));
  const auto y = digits(text.substr(12, 4));
  const auto hh = digits(text.substr(17, 2));
  const auto mm = digits(text.substr(20, 2));
  const auto ss = digits(text.substr(23, 2));
  if (month == kMonths.end() || !d || !y || !hh || !mm || !ss || *hh > 23 || *mm > 59 || *ss > 60)
    return std::nullopt;
  const year_month_day ymd{year{*y},
                           std::chrono::month{static_cast<unsigned>(month - kMonths.begin()) + 1},
                           std::chrono::day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return std::nullopt;
  return sys_days{ymd} + hours{*hh} + minutes{*mm} + seconds{*ss};
}

void add_cache_headers(Response& r, const Cacheable& c, std::chrono::system_clock::time_point now) {
  const auto left = std::chrono::floor<std::chrono::seconds>(c.expires - now).count();
  r.header("ETag", c.etag);
  r.header("Last-Modified", http_date(c.last_modified));
  r.header("Expires", http_date(c.expires));
  r.header("Cache-Control", fmt::format("public, max-age={}", std::max<long long>(0, left)));
}

bool not_modified(const Request& r, const Cacheable& c) {
  const std::string_view none_match = r.header("if-none-match");
  if (!none_match.empty()) {
    std::string_view rest = none_match;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const std::string_view tag = rest.substr(0, comma);
      if (trim(tag) == "*" || opaque(tag) == opaque(c.etag)) return true;
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
    return false;
  }
  const auto since = parse_http_date(r.header("if-modified-since"));
  return since && std::chrono::floor<std::chrono::seconds>(c.last_modified) <= *since;
}

}  // namespace onshi::web
