#pragma once
// What the clinics' login and the operators' share: the lock after repeated failures, the same
// cost for an unknown user as for a wrong password, and the session lifetime.
#include <string>

#include "app/services.hpp"
#include "store/records.hpp"

namespace onshi::app {

// Failures allowed before the first lock; each further failure doubles the lock, from
// [security] login_lock_base_seconds up to 24 hours.
inline constexpr int kFreeLoginFailures = 5;

// Attempts are counted as failures before the password is checked, in one atomic update
// (store::Tx::count_login_attempt), and the attempt that reaches the threshold locks at once:
// attempts sent in parallel are refused while it is checked, then its success clears the count and
// the lock, or its failure keeps them.

// When a login whose attempt number (failures in a row, this one included) is `failures`
// unlocks: 0 (not locked) below the threshold.
store::Millis login_locked_until(const Services& s, int failures, store::Millis now);

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
