#pragma once
// What the clinics' login and the operators' share: the lock after repeated failures, the same
// cost for an unknown user as for a wrong password, and the session lifetime.
#include <optional>
#include <string>
#include <string_view>

#include "app/core/services.hpp"
#include "store/database.hpp"
#include "store/records.hpp"

namespace onshi::app {

// Failures allowed before the first lock; each further failure doubles the lock, from
// [security] login_lock_base_seconds up to 24 hours.
inline constexpr int kFreeLoginFailures = 5;

// When a login whose attempt number (failures in a row, this one included) is `failures`
// unlocks: 0 (not locked) below the threshold.
store::Millis login_locked_until(const Services& s, int failures, store::Millis now);

// Whose attempts are counted: an operator's own row, or a key of login_throttle. The keys of
// accounts (an e-mail as typed, registered or not) and of unknown operator logins never meet:
// "operator:rev" typed at the clinics' login must not lock, or reveal, the operator login "rev".
struct LoginThrottleSubject {
  std::string key;
  std::optional<store::Id> operator_id;
};
LoginThrottleSubject account_throttle(std::string_view email_key);
LoginThrottleSubject operator_throttle(std::string_view login, std::optional<store::Id> id);

// Attempts are counted as failures before the password is checked, in one atomic update, and the
// attempt that reaches the threshold locks at once: attempts sent in parallel are refused while it
// is checked, then its success clears the count and the lock, or its failure keeps them.
// Returns the attempt's number, or nothing (and nothing counted) while the subject is locked.
std::optional<int> claim_login_attempt(const Services& s, store::WriteTx& tx,
                                       const LoginThrottleSubject& who);
// After attempt number `attempt` failed: a lock it brought runs from the answer, not the question.
void hold_login_lock(const Services& s, store::WriteTx& tx, const LoginThrottleSubject& who,
                     int attempt);
// After a success.
void clear_login_attempts(store::WriteTx& tx, const LoginThrottleSubject& who);

// Session ids and tokens longer than this are nobody's: refused before they are hashed.
inline constexpr std::size_t kMaxSessionTokenLength = 128;

// A hash of a random password, verified when the login is unknown so that an unknown user costs
// the same time as a wrong password.
const std::string& dummy_password_hash();

// last_seen_at (and API tokens' last_used_at) is written at most this often, so that reading a
// page does not take the writer lock each time.
inline constexpr store::Millis kTouchEveryMs = 60'000;

enum class SessionAge {
  live,        // in use, last_seen_at recent enough
  live_touch,  // in use, last_seen_at should be moved to now
  expired,     // [session] idle_minutes or absolute_hours passed: delete it
};
SessionAge session_age(const Services& s, store::Millis created_at, store::Millis last_seen_at,
                       store::Millis now);

}  // namespace onshi::app
