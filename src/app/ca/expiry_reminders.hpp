#pragma once
// 有効期限のお知らせ (issue 19): a terminal certificate lives 39 months, and when it expires the
// clinic can no longer check eligibility or send claims. Like the real system, onshi mails
// reminders reminders.days_before days before its notAfter (90, 60, 30, 15, 7) and then every day
// after it until the certificate is renewed or revoked: one mail per institution and run, listing
// its certificates that reached a threshold, with one link to renew them together, to the
// institution's accounts and to each application's contact address.
//
// Each reminder goes once per certificate and threshold whatever the number of nodes and runs:
// store expiry_reminders' key (certificate, threshold) is inserted in the transaction that queues
// the mail and its audit record, and only the insert that stored it mails. A threshold missed
// (the scheduler stopped for days) is not mailed late: the most advanced one reached is, once.
//
// Which certificates: the current generation of each 発行番号, 発行済 or 有効, never revoked. A
// certificate renewed (EST simplereenroll, a renewal) or superseded is no longer its number's
// current one, so it is not reminded of; its successor is, in its turn. A 発行済 certificate not
// yet picked up is reminded of too: the clinic still needs a certificate on that terminal, and one
// never picked up is revoked by its pickup deadline long before it nears expiry (CPIPCS 4.4.4).
#include <optional>
#include <span>
#include <string>

#include "app/core/renewal_window.hpp"
#include "app/core/services.hpp"

namespace onshi::app {

// Days left before `not_after` at `now`, counted up: 1 in its last 24 hours, 90 from 90 days
// before it. From `not_after` on, minus the day since it: -1 in the first 24 hours expired, -2 in
// the next, ... Never 0.
int days_until_expiry(store::Millis not_after, store::Millis now);

// The reminder a certificate is due at `now`, as its expiry_reminders key: the smallest of
// `days_before` (largest first) that its days left reached, or once expired days_until_expiry
// (-1, -2, ...) for `after_expiry_days` days (0: for ever). Nothing before the first threshold or
// after the last day.
std::optional<int> reminder_due(std::span<const int> days_before, int after_expiry_days,
                                store::Millis not_after, store::Millis now);

struct ReminderRun {
  int institutions = 0;  // mailed, one mail to each of their addresses
  int certificates = 0;  // reminders recorded
};
// One sweep (the scheduler's job `certificates.expiry_reminders`, `onshi admin reminders run`):
// every reminder due now, mailed. One transaction per institution; safe on several nodes at once.
ReminderRun send_expiry_reminders(const Services& s);

}  // namespace onshi::app
