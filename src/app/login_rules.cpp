#include "app/login_rules.hpp"

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
