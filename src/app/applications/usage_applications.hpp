#pragma once
// オンライン資格確認利用開始・変更申請: check the form (入力中 → 確認), finalize it (確認 → 確定)
// in one transaction with its audit record and acceptance mail, and read the history.
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "app/accounts/accounts.hpp"
#include "app/core/services.hpp"

namespace onshi::app {

// What the form posts; every value as typed.
struct UsageForm {
  std::string line_type;
  std::string customer_id;
  std::string start_date;
  std::string terminals;
  std::string vendor_name;
  std::string vendor_contact;
  std::string vendor_phone;
  std::string changes;          // number of the application this one changes ("" for the first)
  std::string idempotency_key;  // one per rendered form: the same key never finalizes twice
};

// The values after validation and normalisation (full-width to half-width, hyphens dropped).
struct CheckedUsageForm {
  std::string line_type;
  std::string customer_id;
  std::string start_date;  // YYYY-MM-DD
  int terminals = 0;
  std::string vendor_name;
  std::string vendor_contact;
  std::string vendor_phone;
};

// 入力中 → 確認: the values to show on the confirmation page, or an error per field.
std::expected<CheckedUsageForm, FieldErrors> check_usage_form(const Services& s,
                                                              const UsageForm& form);

struct FinalizedUsage {
  store::UsageApplicationRecord application;
  bool repeated = false;  // the same form was finalized before (double click, back button)
};
// 確認 → 確定. Fails invalid (the form), conflict usage.already_started (a first application is
// finalized already: a change application is needed), conflict usage.already_changed (the
// application being changed was changed meanwhile, in another tab), not_found usage.not_found
// (`changes` names no application of this institution).
Result<FinalizedUsage> finalize_usage_application(const Services& s, const SessionUser& user,
                                                  const UsageForm& form);

// Newest first; empty when the institution has none.
std::vector<store::UsageApplicationRecord> usage_history(const Services& s,
                                                         store::Id institution_id);
std::optional<store::UsageApplicationRecord> find_usage_application(const Services& s,
                                                                    store::Id institution_id,
                                                                    const std::string& number);

// A form pre-filled from the newest finalized application (for a change application), or empty.
UsageForm usage_form_for(const Services& s, store::Id institution_id);

}  // namespace onshi::app
