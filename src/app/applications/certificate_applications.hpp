#pragma once
// 電子証明書発行申請 (the guide's step 3): check the form (次へ), submit it (閉じる) in one
// transaction with its audit record and acceptance mail, list and cancel.
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "app/accounts/accounts.hpp"
#include "app/core/services.hpp"
#include "domain/fee_schedule.hpp"

namespace onshi::app {

// 申請枚数 is 1 to 99 (two digits on the form); each certificate is one terminal.
inline constexpr int kMaxCertificatesPerApplication = 99;

struct CertificateForm {
  std::string classification;
  std::string prefecture;
  std::string municipality;
  std::string postal_code;   // 郵便番号, as typed
  std::string address_line;  // 所在地（市区町村以降の町名・番地・建物名）
  std::string institution_code;
  std::string institution_name;
  std::string department;
  std::string contact_name;
  std::string phone;
  std::string email;
  std::string signature_name;
  std::string certificates;
  std::string idempotency_key;
  // 支払方法: "deduction" (診療報酬等からの控除, also when empty) or "transfer" (払込請求書).
  std::string payment_method;
};

struct CheckedCertificateForm {
  std::string classification;
  int prefecture = 0;
  std::string municipality_code;
  std::string municipality_name;
  std::string postal_code;       // 7 digits, no hyphen
  std::string address_line;      // NFKC, after the municipality
  std::string institution_code;  // 10 digits
  std::string institution_name;
  std::string department;
  std::string contact_name;
  std::string phone;
  std::string email;
  std::string signature_name;
  int certificates = 0;
  store::PaymentMethod payment_method = store::PaymentMethod::deduction;
  domain::FeeQuote fee;
  std::string applied_on;          // today in Japan
  std::string expected_notice_on;  // applied_on + 5 business days
};

// The classes (分類) the form offers, in order; "2" (医療機関等) is what clinics choose.
const std::vector<std::string>& certificate_classifications();

// 送付先 of the notice letter as pages and the receipt show it: "〒104-0061 東京都中央区銀座1-2-3"
// (prefecture and municipality names from the reference data). Empty for an application saved
// before the form asked for the address.
std::string mailing_address(const Services& s, int prefecture, const std::string& municipality_code,
                            const std::string& postal_code, const std::string& address_line);
std::string mailing_address(const Services& s, const store::CertificateApplicationRecord& a);

// Today's date in Japan and the notice date an application made today can expect.
struct NoticeEstimate {
  std::string applied_on;
  std::string expected_notice_on;
};
NoticeEstimate notice_estimate(const Services& s);

std::expected<CheckedCertificateForm, FieldErrors> check_certificate_form(
    const Services& s, const SessionUser& user, const CertificateForm& form);

struct SubmittedCertificateApplication {
  store::CertificateApplicationRecord application;
  bool repeated = false;  // the same form was submitted before
};
// Fails invalid (the form), or conflict certificate_form.no_usage_application: the usage
// application (利用申請) must be finalized first.
Result<SubmittedCertificateApplication> submit_certificate_application(const Services& s,
                                                                       const SessionUser& user,
                                                                       const CertificateForm& form);

std::optional<store::CertificateApplicationRecord> find_certificate_application(
    const Services& s, store::Id institution_id, const std::string& number);

// 取下げ by the applicant, allowed before approval: not_found, or conflict
// certificate_form.too_late_to_cancel.
Result<> cancel_certificate_application(const Services& s, const SessionUser& user,
                                        const std::string& number);

// 再申請: after 差戻し the applicant corrects the same application (same 申請番号) and sends it
// again; it is 申請済 once more, with today's date and a new expected notice date.
// `form_for_correction` pre-fills the form with what was sent, for a returned application only.
// Both fail not_found (not this institution's application) or conflict
// certificate_application.not_returned (only a 差戻し application can be corrected).
Result<SubmittedCertificateApplication> resubmit_certificate_application(
    const Services& s, const SessionUser& user, const std::string& number,
    const CertificateForm& form);
Result<CertificateForm> form_for_correction(const Services& s, const SessionUser& user,
                                            const std::string& number);

// True when the institution has a finalized usage application (the guide's はい branch needs one).
bool has_usage_application(const Services& s, store::Id institution_id);

// A form pre-filled from the account and the newest usage application.
CertificateForm certificate_form_for(const Services& s, const SessionUser& user);

}  // namespace onshi::app
