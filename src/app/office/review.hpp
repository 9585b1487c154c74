#pragma once
// The review of certificate applications (審査): the queue, one application with everything the
// reviewer needs, and the decisions. The dashboard of due dates lives here too.
#include <expected>
#include <map>
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
  tracking_number,       // 書留番号 malformed
  tracking_number_used,  // 書留番号 already recorded for another letter
  mailed_on,             // 発送日 malformed, in the future or before the letter was printed
  confirmation_stale,    // the application changed after its confirmation page was shown
  letters_changed,       // a chosen letter was printed (or went) meanwhile
  too_many_letters,      // more letters chosen than one batch holds
  no_letters_chosen,     // the print confirmation was asked for nothing
  not_printed,           // 再印刷 of a letter never printed: print it instead
  nothing_to_reprint,    // every certificate of the letter is picked up, revoked or expired
  already_recorded,  // registered mail already recorded (the last: the catalogue test walks up to
                     // it)
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
  std::vector<store::UsageApplicationRecord> usage;    // newest version first
  std::vector<store::CertificateRecord> certificates;  // every generation of every 発行番号
  std::map<store::Id, int> downloads;                  // by certificate id, those downloaded
  std::optional<store::NoticeLetterRecord> letter;
  std::vector<store::AuditRecord> history;  // audit entries about this application, newest first
};
std::optional<ApplicationDossier> application_dossier(const Services& s, std::string_view number);

// What the operator saw on a confirmation page (承認する, 電子証明書を発行する): the application's
// state, last change and count, as one token the page posts back. A decision carrying it is
// refused (review.confirmation_stale) when the application is no longer what was confirmed.
std::string confirmation_token(const store::CertificateApplicationRecord& a);

// 承認 / 差戻し / 却下. An application still 申請済 is taken through 審査中 in the same step.
// 差戻し and 却下 mail the clinic with `note`, which マイページ shows too. `confirmed`, when given,
// is the confirmation_token the operator confirmed, checked inside the transaction.
enum class Decision { approve, send_back, reject };
Result<> decide(const Services& s, const Actor& who, std::string_view number, Decision d,
                std::string_view note, std::optional<std::string> confirmed = std::nullopt);

// Registered mail (簡易書留) takes this many business days to arrive, so the letter must be posted
// that many business days before the arrival date promised to the clinic.
inline constexpr int kPostalBusinessDays = 2;

// Who acts next on an application, as the back office's 次の作業 column names it.
enum class NextStep { review, issue, print, mail, clinic, none };
std::string_view next_step_key(NextStep n);  // "review" ... ; catalogue admin_next_step.<key>

// An application as the office's lists show it: 発送期限 (ship_by: the promised arrival date minus
// kPostalBusinessDays business days), overdue once today is past it and the letter is not
// posted, the business days left until it (negative when late), the next step, and for 発行済
// whether its letter is printed yet (未印刷 / 書留未記録).
struct DashboardRow {
  store::CertificateApplicationRecord application;
  std::string ship_by;  // YYYY-MM-DD, or "" when the arrival date does not parse
  bool overdue = false;
  int business_days_left = 0;  // to ship_by; negative when overdue
  NextStep next = NextStep::none;
  bool letter_printed = false;  // 発行済 only
};
// One application (with its letter, if any) as those lists show it, for its detail page too.
DashboardRow work_of(const Services& s, store::CertificateApplicationRecord a,
                     const std::optional<store::NoticeLetterRecord>& letter);
// The dashboard: every application not yet 通知書発送済 (nor closed); overdue ones first, then by
// 発送期限.
std::vector<DashboardRow> dashboard(const Services& s);
// 審査一覧 with the same columns, oldest first. QueueFilter::status also takes issued_unprinted
// and issued_unmailed (発行済 split by its letter).
std::vector<DashboardRow> review_queue_rows(const Services& s, const QueueFilter& f);

// The counts of the admin menu: 審査待ち (申請済 and 審査中), 発行待ち (承認), 未印刷, 書留未記録
// (resends of reprinted letters included) and how many are past their 発送期限.
struct OfficeCounts {
  int to_review = 0;
  int to_issue = 0;
  int to_print = 0;
  int to_mail = 0;
  int overdue = 0;
};
OfficeCounts office_counts(const Services& s);

}  // namespace onshi::app
