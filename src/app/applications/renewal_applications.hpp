#pragma once
// 更新申請 (renewal) from マイページ: the clinic chooses which of its certificates to renew (from
// 90 days before they expire, and after), checks the form pre-filled from its last application
// (only the contact and the mailing address change), and sends one renewal application, which the
// review queue labels 更新 and issuance turns into the next generation of each certificate (same
// 発行番号 and terminal, new key and serial, 39 months from its issue: app/ca/issuance.cpp). With
// review.auto_approve_renewals, a renewal of an unchanged institution is approved at once.
#include <optional>
#include <string>
#include <vector>

#include "app/accounts/accounts.hpp"
#include "app/applications/certificate_applications.hpp"
#include "app/core/renewal_window.hpp"
#include "app/core/services.hpp"
#include "store/records.hpp"

namespace onshi::app {

// True when `c`, a number's current certificate, may be renewed at `now`: neither revoked nor
// replaced, and within kRenewalWindowDays of its notAfter or past it. A renewal already under way
// is checked apart (renewable_certificates).
bool in_renewal_window(const store::CertificateRecord& c, store::Millis now);
bool in_renewal_window(const store::CertificateRow& c, store::Millis now);

// The institution's certificates it may renew now, by terminal: in the window and not named by
// one of its renewal applications under way.
std::vector<store::CertificateRow> renewable_certificates(const Services& s,
                                                          store::Id institution_id);
// The same filter over certificates already read with the numbers being renewed.
std::vector<store::CertificateRow> renewable_among(std::vector<store::CertificateRow> certificates,
                                                   const std::vector<std::string>& being_renewed,
                                                   store::Millis now);

// The application a renewal carries on from (分類, 医療機関コード, 名称, 署名名称): the
// institution's newest certificate application, of either kind.
std::optional<store::CertificateApplicationRecord> last_certificate_application(
    const Services& s, store::Id institution_id);

// The certificates a renewal application renews, by position (the back office's detail page).
std::vector<store::RenewalItem> renewal_items_of(const Services& s, store::Id application_id);

// What the renewal form sends: the certificates chosen (発行番号) and what may change.
struct RenewalForm {
  std::vector<std::string> certificates;
  std::string municipality;  // 市区町村コード
  std::string postal_code;
  std::string address_line;
  std::string department;
  std::string contact_name;
  std::string phone;
  std::string email;
  std::string idempotency_key;
  std::string payment_method;  // store::payment_method_name; empty for the deduction
};

// The form pre-filled from the institution's newest certificate application with every
// renewable certificate chosen; conflict renewal.no_previous_application when it has none.
Result<RenewalForm> renewal_form_for(const Services& s, const SessionUser& user);

// 郵便番号から住所を入力 on the renewal form: 市区町村 and, for an empty 所在地, the one 町域,
// from the postcode; the prefecture is the last application's, so a postcode in another one is
// refused beside 郵便番号 (renewal.postcode_other_prefecture: such a move is a new application).
struct FilledRenewalForm {
  RenewalForm form;
  FieldErrors errors;
};
FilledRenewalForm fill_renewal_from_postcode(const Services& s, const SessionUser& user,
                                             RenewalForm form);

struct CheckedRenewal {
  // The application as it is to be stored: the fixed fields of the last application, the ones
  // typed, the count and the fee.
  CheckedCertificateForm form;
  std::vector<store::CertificateRecord> certificates;  // as current now, in the form's order
  // The institution's name and address are those of the applications behind the certificates
  // renewed: what review.auto_approve_renewals approves without a reviewer.
  bool unchanged = false;
};

// 次へ: invalid with the fields at fault (certificates: none chosen, renewal.not_renewable for a
// number that is not the institution's or not renewable now, with the number as its argument);
// conflict renewal.no_previous_application.
Result<CheckedRenewal> check_renewal(const Services& s, const SessionUser& user,
                                     const RenewalForm& form);

// 申請: checks again in the transaction, stores the application (kind renewal) with its
// certificates, its audit record and the acceptance mail; approved at once (actor system, action
// application.auto_approve) when review.auto_approve_renewals is on and the institution unchanged.
// The same idempotency key again answers the first application (repeated).
Result<SubmittedCertificateApplication> submit_renewal_application(const Services& s,
                                                                   const SessionUser& user,
                                                                   const RenewalForm& form);

}  // namespace onshi::app
