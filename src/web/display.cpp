#include "web/display.hpp"
#include "app/core/dates_shown.hpp"

#include <fmt/format.h>

#include "app/applications/certificate_applications.hpp"
#include "domain/calendar_date.hpp"
#include "domain/certificate_state.hpp"
#include "util/clock.hpp"
#include "util/text.hpp"

namespace onshi::web {

std::string japanese_date(const app::Messages& m, std::string_view iso) {
  return app::date_shown(m, iso);
}

std::optional<util::TemplateData> fee_in_effect_today(const app::Services& s) {
  const auto estimate = app::notice_estimate(s);
  const auto date = domain::parse_date(estimate.applied_on);
  if (!date) return std::nullopt;
  const auto one = s.reference.fees.quote(*date, 1);
  if (!one) return std::nullopt;
  util::TemplateData fee;
  fee.set("per_certificate", util::group_thousands(one->fee_per_certificate_yen));
  fee.set("tax_rate_percent", std::to_string(one->tax_rate_percent));
  fee.set("one_with_tax", util::group_thousands(one->total_yen));
  return fee;
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

std::string revocation_reason_shown(const app::Messages& m, std::optional<int> code) {
  std::string name = "unspecified";
  if (code) {
    if (const auto r = domain::revocation_reason_from_code(*code)) name = domain::reason_key(*r);
  }
  const auto key = "revocation.reason." + name;
  return m.get(m.has(key) ? key : "revocation.reason.unspecified");
}

}  // namespace onshi::web
