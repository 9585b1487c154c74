#pragma once
// 利用開始・変更申請: the usage application an institution fills in, checks on a confirmation page
// and then finalizes. A change application (変更申請) starts from a finalized one and names it.
// Only the functions below change a state; each returns the new state or why it is not allowed.
#include <cstdint>
#include <expected>
#include <optional>
#include <string_view>

namespace onshi::domain {

enum class UsageApplicationState {
  editing,     // 入力中
  confirming,  // 確認 (the confirmation page is shown)
  finalized,  // 確定 (accepted; cannot change any more, only be superseded by a change application)
};

enum class UsageApplicationError {
  not_editing,           // confirm from anything but 入力中
  not_confirming,        // finalize / back-to-edit from anything but 確認
  target_not_finalized,  // a change application must reference a finalized application
};

std::string_view error_key(UsageApplicationError error);  // "usage_application.not_editing", ...
std::string_view state_key(UsageApplicationState state);  // "editing", "confirming", "finalized"

using UsageApplicationId = std::int64_t;

struct UsageApplication {
  UsageApplicationState state = UsageApplicationState::editing;
  // Set for a change application (変更申請): the finalized application it changes.
  std::optional<UsageApplicationId> changes;
  bool is_change() const { return changes.has_value(); }
};

// A new first application (利用開始申請), in 入力中.
UsageApplication start_usage_application();
// A change application of `target` (which must be finalized), in 入力中.
std::expected<UsageApplication, UsageApplicationError> start_change_application(
    UsageApplicationId target_id, UsageApplicationState target_state);

// 入力中 -> 確認 (the form was valid; the confirmation page is shown).
std::expected<UsageApplicationState, UsageApplicationError> confirm(UsageApplicationState from);
// 確認 -> 入力中 (the 戻る button).
std::expected<UsageApplicationState, UsageApplicationError> back_to_editing(
    UsageApplicationState from);
// 確認 -> 確定 (the 確定 button).
std::expected<UsageApplicationState, UsageApplicationError> finalize(UsageApplicationState from);

}  // namespace onshi::domain
