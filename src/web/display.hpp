#pragma once
// How stored values read on pages: times in Japan, dates the Japanese way, registered-mail numbers
// grouped as on the post office's receipt. Shared by マイページ and the back office.
#include <optional>
#include <string>
#include <string_view>

#include "app/core/messages.hpp"
#include "app/core/services.hpp"
#include "store/records.hpp"
#include "util/templates.hpp"

namespace onshi::web {

// "2026年11月24日（火）" from "2026-11-24"; the text unchanged when it is no date.
std::string japanese_date(const app::Messages& m, std::string_view iso);
// The fee in effect today for one certificate (data/fees.toml), as the application form will quote
// it: per_certificate, tax_rate_percent, one_with_tax; none when no rate applies today.
std::optional<util::TemplateData> fee_in_effect_today(const app::Services& s);
// "1234-5678-901" from the digits the app stores: groups of four, the rest last.
std::string tracking_number_shown(std::string_view digits);
// The words of a stored RFC 5280 reason code (revocation.reason.*): 「端末の入替え・廃棄」.
std::string revocation_reason_shown(const app::Messages& m, std::optional<int> code);

}  // namespace onshi::web
