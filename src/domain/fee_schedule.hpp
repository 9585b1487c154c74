#pragma once
// Certificate fees: a per-certificate fee before tax and the consumption-tax rate, each with the
// date from which it applies. The amounts are configuration (loaded from TOML by app/), never
// literals at the call sites; defaults() holds the published values.
#include <chrono>
#include <cstdint>
#include <expected>
#include <string_view>
#include <vector>

namespace onshi::domain {

struct FeeRate {
  std::chrono::year_month_day effective_from;  // first day this rate applies (application date)
  std::int64_t fee_per_certificate_yen = 0;    // 税抜
  int tax_rate_percent = 0;                    // 消費税 (国税 + 地方消費税), e.g. 10
  friend bool operator==(const FeeRate&, const FeeRate&) = default;
};

// What the application pages and the receipt show, all integer yen.
struct FeeQuote {
  int certificates = 0;
  std::int64_t fee_per_certificate_yen = 0;
  int tax_rate_percent = 0;
  std::int64_t subtotal_yen = 0;  // 税抜: fee x certificates
  std::int64_t tax_yen = 0;       // 消費税: floor(subtotal x rate / 100), once on the total
  std::int64_t total_yen = 0;     // 税込: subtotal + tax
};

enum class FeeError {
  empty_schedule,      // no entries at all
  unordered_schedule,  // entries not strictly increasing by effective_from (or a bad date)
  invalid_amount,      // negative fee, or a rate outside 0-100 %
  no_rate_in_effect,   // the date is before the first entry
  invalid_quantity,    // fewer than 1 or more than max_certificates_per_quote certificates
};

std::string_view error_key(FeeError error);  // "fee.no_rate_in_effect", ...

// Far above any institution's terminal count; keeps the arithmetic well inside int64.
inline constexpr int max_certificates_per_quote = 10'000;

class FeeSchedule {
 public:
  static std::expected<FeeSchedule, FeeError> create(std::vector<FeeRate> entries);
  // 1,500 yen per certificate (user guide) and 10 % consumption tax, from 2019-10-01 (the date
  // the 10 % rate took effect; the portal opened later, so no earlier entry is needed).
  static FeeSchedule defaults();

  std::expected<FeeRate, FeeError> lookup(std::chrono::year_month_day on) const;
  // The quote for `certificates` certificates applied for on `on`.
  std::expected<FeeQuote, FeeError> quote(std::chrono::year_month_day on, int certificates) const;

  const std::vector<FeeRate>& entries() const { return entries_; }

 private:
  explicit FeeSchedule(std::vector<FeeRate> entries) : entries_(std::move(entries)) {}
  std::vector<FeeRate> entries_;  // strictly increasing effective_from
};

}  // namespace onshi::domain
