#include "app/ca/expiry_reminders.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <map>
#include <vector>

#include "app/ca/own_revocation.hpp"
#include "app/core/dates_shown.hpp"
#include "app/core/outbox.hpp"
#include "util/text.hpp"

namespace onshi::app {
namespace {

constexpr store::Millis kDayMs = 86'400'000;

bool same_address(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// Still what the sweep's read found: another transaction may have revoked or renewed it since.
bool still_in_use(store::WriteTx& tx, const store::ExpiringCertificate& e) {
  const auto c = tx.certificates().find_certificate_by_serial(e.serial_hex);
  return c && !c->revoked_at && !c->replaced_at &&
         (c->status == domain::CertificateState::issued ||
          c->status == domain::CertificateState::active);
}

struct Reminded {
  const store::ExpiringCertificate* certificate;
  int threshold;
};

util::TemplateData certificate_item(const Services& s, const Reminded& r, store::Millis now) {
  const auto& c = *r.certificate;
  util::TemplateData item;
  item.set("issuance_number", c.issuance_number);
  item.set("terminal", c.terminal);
  item.set("common_name", common_name_of(c.subject));
  item.set("serial", util::group_serial(c.serial_hex));
  item.set("not_after", time_shown(s.messages, c.not_after));
  const int days = days_until_expiry(c.not_after, now);
  item.set("days_left", days > 0
                            ? s.messages.format("reminders.days_left", {std::to_string(days)})
                            : s.messages.format("reminders.days_expired", {std::to_string(-days)}));
  return item;
}

// The reminders of one institution's certificates due now, recorded and mailed in one
// transaction: how many it recorded (0 when another node or an earlier run had).
int remind_institution(const Services& s, const std::vector<store::ExpiringCertificate>& certs,
                       store::Millis now) {
  return s.db.write([&](store::WriteTx& tx) {
    std::vector<Reminded> reminded;
    for (const auto& c : certs) {
      const auto due = reminder_due(s.config.reminder_days, s.config.reminder_after_expiry_days,
                                    c.not_after, now);
      if (!due || !still_in_use(tx, c)) continue;
      if (!tx.reminders().try_record_reminder(c.certificate_id, *due, now)) continue;
      reminded.push_back({&c, *due});
      tx.audit().append_audit(
          {"system", "certificate.expiry_reminder", c.issuance_number,
           audit_detail({{"serial", c.serial_hex}, {"threshold_days", std::to_string(*due)}})},
          now);
    }
    if (reminded.empty()) return 0;

    const auto& first = *reminded.front().certificate;
    std::vector<std::string> to = tx.reminders().account_addresses(first.institution_id);
    util::TemplateData list{util::TemplateData::type::list};
    bool any_expired = false;
    for (const auto& r : reminded) {
      list.push_back(certificate_item(s, r, now));
      any_expired = any_expired || r.threshold < 0;
      const auto& contact = r.certificate->contact_email;
      if (std::ranges::none_of(to, [&](const auto& t) { return same_address(t, contact); }))
        to.push_back(contact);
    }
    util::TemplateData d;
    d.set("institution_name", first.institution_name);
    d.set("count", std::to_string(reminded.size()));
    d.set("certificates", list);
    d.set("any_expired", any_expired);
    d.set("renewal_url", s.config.base_url + std::string(kRenewalPath));
    for (const auto& address : to) enqueue_mail(s, tx, address, "certificates_expiring", d);
    return static_cast<int>(reminded.size());
  });
}

}  // namespace

int days_until_expiry(store::Millis not_after, store::Millis now) {
  if (now < not_after) return static_cast<int>((not_after - now + kDayMs - 1) / kDayMs);
  return -static_cast<int>((now - not_after) / kDayMs + 1);
}

std::optional<int> reminder_due(std::span<const int> days_before, int after_expiry_days,
                                store::Millis not_after, store::Millis now) {
  const int days = days_until_expiry(not_after, now);
  if (days < 0) {
    if (after_expiry_days > 0 && -days > after_expiry_days) return std::nullopt;
    return days;
  }
  std::optional<int> due;
  for (const int t : days_before) {
    if (days <= t && (!due || t < *due)) due = t;
  }
  return due;
}

ReminderRun send_expiry_reminders(const Services& s) {
  const auto now = s.now_ms();
  const int furthest =
      s.config.reminder_days.empty() ? 0 : *std::ranges::max_element(s.config.reminder_days);
  const store::Millis from = s.config.reminder_after_expiry_days > 0
                                 ? now - s.config.reminder_after_expiry_days * kDayMs
                                 : std::numeric_limits<store::Millis>::min();
  // days_until_expiry <= furthest exactly when notAfter <= now + furthest days.
  const store::Millis before = now + furthest * kDayMs + 1;
  const auto due = s.db.read(
      [&](store::ReadTx& tx) { return tx.reminders().expiring_certificates(from, before); });
  // The read is ordered by institution: each run of rows is one institution's mail.
  ReminderRun run;
  for (auto at = due.begin(); at != due.end();) {
    const auto end = std::find_if(
        at, due.end(), [&](const auto& c) { return c.institution_id != at->institution_id; });
    const int n = remind_institution(s, std::vector(at, end), now);
    if (n > 0) {
      ++run.institutions;
      run.certificates += n;
    }
    at = end;
  }
  return run;
}

}  // namespace onshi::app
