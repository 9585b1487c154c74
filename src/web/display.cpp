#include "web/display.hpp"
#include "app/core/dates_shown.hpp"

#include <fmt/format.h>

#include "domain/calendar_date.hpp"
#include "util/clock.hpp"

namespace onshi::web {

std::string japanese_date(const app::Messages& m, std::string_view iso) {
  return app::date_shown(m, iso);
}

std::string tracking_number_shown(std::string_view digits) {
  std::string out;
  for (std::size_t i = 0; i < digits.size(); i += 4) {
    if (!out.empty()) out += '-';
    // The last group takes up to five, so 13 digits read 4-4-5 rather than 4-4-4-1.
    const bool last = digits.size() - i <= 5;
    out += digits.substr(i, last ? std::string_view::npos : 4);
    if (last) break;
  }
  return out;
}

}  // namespace onshi::web
