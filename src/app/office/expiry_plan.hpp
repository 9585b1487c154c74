#pragma once
// 有効期限の見通し: the certificates still in use that expire soon, for operators who plan the
// desk's work (renewals come in rushes: a clinic's certificates were issued together and expire
// together) and for `onshi admin certificates expiring`. "In use" is what the reminders cover
// (app/ca/expiry_reminders.hpp): each 発行番号's current certificate, 発行済 or 有効, not revoked.
#include <chrono>
#include <cstdint>
#include <vector>

#include "app/core/services.hpp"
#include "store/reminder_records.hpp"

namespace onshi::app {

// Those expiring from now to `within_days` days from now, soonest first (the expired excluded).
std::vector<store::ExpiringCertificate> certificates_expiring(const Services& s, int within_days);

struct ExpiryMonth {
  std::chrono::year_month month;  // in Japan
  std::int64_t total = 0;
  std::vector<store::ExpiryCount> by_prefecture;  // prefectures with none left out
};
// This month in Japan (from now on) and the `months` - 1 after it, each month's certificates by
// the prefecture of their application.
std::vector<ExpiryMonth> expiry_plan(const Services& s, int months = 12);

}  // namespace onshi::app
