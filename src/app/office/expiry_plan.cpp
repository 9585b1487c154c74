#include "app/office/expiry_plan.hpp"

#include <algorithm>

#include "app/core/form_values.hpp"

namespace onshi::app {
namespace {

constexpr store::Millis kDayMs = 86'400'000;

// The first millisecond of a month in Japan (UTC+9, no daylight saving).
store::Millis month_start(std::chrono::year_month m) {
  const auto start = std::chrono::sys_days{m / 1} - std::chrono::hours{9};
  return std::chrono::duration_cast<std::chrono::milliseconds>(start.time_since_epoch()).count();
}

}  // namespace

std::vector<store::ExpiringCertificate> certificates_expiring(const Services& s, int within_days) {
  const auto now = s.now_ms();
  auto found = s.db.read([&](store::ReadTx& tx) {
    return tx.reminders().expiring_certificates(now, now + within_days * kDayMs);
  });
  // Read by institution for the reminders; the operator wants the soonest first.
  std::ranges::stable_sort(found, {}, &store::ExpiringCertificate::not_after);
  return found;
}

std::vector<ExpiryMonth> expiry_plan(const Services& s, int months) {
  const auto now = s.now_ms();
  const auto today = date_in_japan(now);
  const std::chrono::year_month first{today.year(), today.month()};
  std::vector<ExpiryMonth> plan;
  s.db.read([&](store::ReadTx& tx) {
    for (int i = 0; i < months; ++i) {
      ExpiryMonth m;
      m.month = first + std::chrono::months{i};
      const auto from = i == 0 ? now : month_start(m.month);
      const auto until = month_start(m.month + std::chrono::months{1});
      m.by_prefecture = tx.reminders().count_expiring(from, until);
      for (const auto& c : m.by_prefecture) m.total += c.certificates;
      plan.push_back(std::move(m));
    }
  });
  return plan;
}

}  // namespace onshi::app
