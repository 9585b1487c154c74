#include "app/accounts/login_rules.hpp"

#include <algorithm>

#include "util/secrets.hpp"

namespace onshi::app {

store::Millis login_locked_until(const Services& s, int failures, store::Millis now) {
  constexpr store::Millis kMaxLockMs = 24LL * 3'600'000;
  if (failures < kFreeLoginFailures) return 0;
  const int doublings = std::min(failures - kFreeLoginFailures, 20);
  const auto base = static_cast<store::Millis>(s.config.login_lock_base_seconds) * 1000;
  return now + std::min(base << doublings, kMaxLockMs);
}

LoginThrottleSubject account_throttle(std::string_view email_key) {
  return {"account:" + std::string(email_key), std::nullopt};
}

LoginThrottleSubject operator_throttle(std::string_view login, std::optional<store::Id> id) {
  return {"operator:" + std::string(login), id};
}

std::optional<int> claim_login_attempt(const Services& s, store::WriteTx& tx,
                                       const LoginThrottleSubject& who) {
  const auto now = s.now_ms();
  const auto attempt = who.operator_id
                           ? tx.operators().count_operator_login_attempt(*who.operator_id, now)
                           : tx.tokens().count_login_attempt(who.key, now);
  if (attempt) hold_login_lock(s, tx, who, *attempt);
  return attempt;
}

void hold_login_lock(const Services& s, store::WriteTx& tx, const LoginThrottleSubject& who,
                     int attempt) {
  const auto until = login_locked_until(s, attempt, s.now_ms());
  if (!until) return;
  if (who.operator_id) {
    tx.operators().lock_operator(*who.operator_id, until);
  } else {
    tx.tokens().lock_login(who.key, until);
  }
}

void clear_login_attempts(store::WriteTx& tx, const LoginThrottleSubject& who) {
  if (who.operator_id) {
    tx.operators().clear_operator_throttle(*who.operator_id);
  } else {
    tx.tokens().clear_login_throttle(who.key);
  }
}

const std::string& dummy_password_hash() {
  static const std::string hash = util::hash_password(util::random_token());
  return hash;
}

SessionAge session_age(const Services& s, store::Millis created_at, store::Millis last_seen_at,
                       store::Millis now) {
  const auto idle = static_cast<store::Millis>(s.config.session_idle_minutes) * 60'000;
  const auto absolute = static_cast<store::Millis>(s.config.session_absolute_hours) * 3'600'000;
  if (last_seen_at + idle < now || created_at + absolute < now) return SessionAge::expired;
  return last_seen_at + kTouchEveryMs < now ? SessionAge::live_touch : SessionAge::live;
}

}  // namespace onshi::app
