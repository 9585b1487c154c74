#include "domain/fee_schedule.hpp"

namespace onshi::domain {

using namespace std::chrono;

std::string_view error_key(FeeError error) {
  switch (error) {
    case FeeError::empty_schedule:
      return "fee.empty_schedule";
    case FeeError::unordered_schedule:
      return "fee.unordered_schedule";
    case FeeError::invalid_amount:
      return "fee.invalid_amount";
    case FeeError::no_rate_in_effect:
      return "fee.no_rate_in_effect";
    case FeeError::invalid_quantity:
      return "fee.invalid_quantity";
  }
  return "fee.invalid";
}

std::expected<FeeSchedule, FeeError> FeeSchedule::create(std::vector<FeeRate> entries) {
  if (entries.empty()) return std::unexpected(FeeError::empty_schedule);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const FeeRate& e = entries[i];
    if (!e.effective_from.ok()) return std::unexpected(FeeError::unordered_schedule);
    if (i > 0 && !(entries[i - 1].effective_from < e.effective_from)) {
      return std::unexpected(FeeError::unordered_schedule);
    }
    // 1e12 yen caps the per-certificate fee so fee x 10,000 x 100 stays far inside int64.
    if (e.fee_per_certificate_yen < 0 || e.fee_per_certificate_yen > 1'000'000'000'000 ||
        e.tax_rate_percent < 0 || e.tax_rate_percent > 100) {
      return std::unexpected(FeeError::invalid_amount);
    }
  }
  return FeeSchedule(std::move(entries));
}

FeeSchedule FeeSchedule::defaults() {
  return FeeSchedule({FeeRate{year{2019} / October / day{1}, 1500, 10}});
}

std::expected<FeeRate, FeeError> FeeSchedule::lookup(year_month_day on) const {
  // The last entry whose effective_from is on or before `on`.
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (it->effective_from <= on) return *it;
  }
  return std::unexpected(FeeError::no_rate_in_effect);
}

std::expected<FeeQuote, FeeError> FeeSchedule::quote(year_month_day on, int certificates) const {
  if (certificates < 1 || certificates > max_certificates_per_quote) {
    return std::unexpected(FeeError::invalid_quantity);
  }
  auto rate = lookup(on);
  if (!rate) return std::unexpected(rate.error());
  FeeQuote q;
  q.certificates = certificates;
  q.fee_per_certificate_yen = rate->fee_per_certificate_yen;
  q.tax_rate_percent = rate->tax_rate_percent;
  q.subtotal_yen = rate->fee_per_certificate_yen * certificates;
  // Tax once on the application's total, fractions of a yen dropped (切り捨て): one rounding per
  // invoice and rate, as the qualified-invoice rules require; both operands are non-negative.
  q.tax_yen = q.subtotal_yen * rate->tax_rate_percent / 100;
  q.total_yen = q.subtotal_yen + q.tax_yen;
  return q;
}

}  // namespace onshi::domain
