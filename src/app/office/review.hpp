#pragma once
// The review of certificate applications (審査): the queue, one application with everything the
// reviewer needs, and the decisions. The dashboard of due dates lives here too.
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "app/core/services.hpp"
#include "app/office/operators.hpp"

namespace onshi::app {

// What an operator can get wrong or be refused, as the back office names it; review_failure makes
// the Failure (key review.<name>) that the use cases return.
enum class ReviewError {
  not_found,             // no application with that number
  forbidden,             // the role may not do this
  wrong_state,           // another operator acted first, or the state does not allow it
  note_required,         // 差戻し and 却下 need a message for the clinic
  note_too_long,         // over 1,000 characters
  note_invalid,          // control characters other than line breaks and tabs, or invalid UTF-8
  same_operator,         // review.separate_issuer: the approver may not issue
  ca_unavailable,        // no CA initialised / key not loaded
  bad_csr,               // detail carries the csr.* key
  tracking_number,       // 書留の引受番号 malformed
  tracking_number_used,  // 書留の引受番号 already recorded for another letter
  mailed_on,             // 発送日 malformed, in the future or before the letter was printed
  already_recorded,      // registered mail already recorded
};
std::string_view review_error_key(ReviewError e);
// bad_csr: `detail_key` is the csr.* key and `certificate` the 1-based certificate refused.
Failure review_failure(ReviewError e, std::string detail_key = {}, int certificate = 0);

struct QueueFilter {
  std::string status;  // a state_key or "" for every open status
  int prefecture = 0;
  std::string applied_from;  // YYYY-MM-DD or ""
  std::string applied_to;
};
// Oldest first.
std::vector<store::CertificateApplicationRecord> review_queue(const Services& s,
                                                              const QueueFilter& f);

struct ApplicationDossier {
  store::CertificateApplicationRecord application;
  std::vector<store::UsageApplicationRecord> usage;  // newest version first
  std::vector<store::CertificateRecord> certificates;
  std::optional<store::NoticeLetterRecord> letter;
  std::vector<store::AuditRecord> history;  // audit entries about this application, newest first
};
std::optional<ApplicationDossier> application_dossier(const Services& s, std::string_view number);

// 承認 / 差戻し / 却下. An application still 申請済 is taken through 審査中 in the same step.
// 差戻し and 却下 mail the clinic with `note`, which マイページ shows too.
enum class Decision { approve, send_back, reject };
Result<> decide(const Services& s, const Actor& who, std::string_view number, Decision d,
                std::string_view note);

// The dashboard: every application not yet 通知書発送済 (nor closed), with its due date
// (applied_on + 5 business days, fixed when the clinic applied); overdue ones first.
struct DashboardRow {
  store::CertificateApplicationRecord application;
  bool overdue = false;
  int business_days_left = 0;  // negative when overdue
};
std::vector<DashboardRow> dashboard(const Services& s);

}  // namespace onshi::app
