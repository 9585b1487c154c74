#pragma once
// When a certificate may be renewed, and where: one rule for 更新申請 (app/applications/
// renewal_applications.hpp), マイページ's banner and the expiry reminders
// (app/ca/expiry_reminders.hpp).
#include <string_view>

namespace onshi::app {

// Renewal opens this many days before notAfter (the real system's rule) and stays open after it;
// マイページ warns from then on.
inline constexpr int kRenewalWindowDays = 90;

// The renewal pages (更新申請, under the portal), where the reminder mail's one link points.
inline constexpr std::string_view kRenewalPath = "/renewal";

}  // namespace onshi::app
