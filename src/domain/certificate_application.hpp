#pragma once
// 電子証明書発行申請: 申請済 -> 審査中 -> 承認 / 差戻し / 却下 -> 発行済 -> 通知書発送済. Each
// certificate of an issued application is then picked up on its own (domain/certificate_state.hpp).
// The applicant may cancel before approval. Only these functions change the state.
#include <expected>
#include <optional>
#include <string_view>

namespace onshi::domain {

enum class CertificateApplicationState {
  applied,       // 申請済
  under_review,  // 審査中
  returned,      // 差戻し: the applicant corrects and resubmits
  rejected,      // 却下 (final)
  approved,      // 承認
  issued,        // 発行済: certificates exist, letter not yet sent
  notice_sent,   // 通知書発送済: the 電子証明書発行通知書 went by registered mail
  cancelled,     // 取下げ by the applicant (final)
};

enum class CertificateApplicationError {
  not_applied,         // start_review needs 申請済
  not_under_review,    // approve / return / reject need 審査中
  not_returned,        // resubmit needs 差戻し
  not_approved,        // issue needs 承認
  not_issued,          // record_notice_sent needs 発行済
  too_late_to_cancel,  // approved (or later), rejected or already cancelled
};

std::string_view error_key(CertificateApplicationError error);
std::string_view state_key(CertificateApplicationState state);  // "applied", "under_review", ...
// The inverse of state_key; nothing for a text that is no state.
std::optional<CertificateApplicationState> parse_state(std::string_view key);

using CertificateApplicationResult =
    std::expected<CertificateApplicationState, CertificateApplicationError>;

CertificateApplicationResult start_review(CertificateApplicationState from);  // 申請済 -> 審査中
CertificateApplicationResult approve(CertificateApplicationState from);       // 審査中 -> 承認
CertificateApplicationResult return_for_correction(CertificateApplicationState from);  // -> 差戻し
CertificateApplicationResult reject(CertificateApplicationState from);    // 審査中 -> 却下
CertificateApplicationResult resubmit(CertificateApplicationState from);  // 差戻し -> 申請済
CertificateApplicationResult issue(CertificateApplicationState from);     // 承認 -> 発行済
CertificateApplicationResult record_notice_sent(
    CertificateApplicationState from);  // -> 通知書発送済
// By the applicant, while 申請済, 審査中 or 差戻し.
CertificateApplicationResult cancel(CertificateApplicationState from);

// True in the states the applicant can still cancel from (the マイページ shows the button).
bool can_cancel(CertificateApplicationState state);
// True while a reviewer can approve, send back or reject (申請済 or 審査中).
bool can_decide(CertificateApplicationState state);
// True when the applicant must act (差戻し: correct and resubmit).
bool awaits_applicant(CertificateApplicationState state);
// False once the application can no longer lead to a notice letter (却下, 取下げ).
bool notice_letter_expected(CertificateApplicationState state);

}  // namespace onshi::domain
