#pragma once
// Rows as the use cases see them. Times are Unix milliseconds (UTC).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <vector>
#include "domain/certificate_application.hpp"
#include "domain/certificate_state.hpp"
#include "domain/operator_role.hpp"

namespace onshi::store {

using Millis = std::int64_t;
using Id = std::int64_t;

struct Institution {
  Id id = 0;
  std::string code;  // the 10-digit form, digits only
  std::string name;
};

struct Account {
  Id id = 0;
  Id institution_id = 0;
  std::string email;      // as the user typed it, normalised
  std::string email_key;  // comparison key (lower-case)
  std::string password_hash;
  std::optional<Millis> verified_at;
  std::optional<Millis> disabled_at;
  Millis created_at = 0;
};

struct AccountSummary {
  Account account;
  Institution institution;
};

struct LoginThrottle {
  int failures = 0;
  Millis locked_until = 0;
};

enum class TokenKind { verify_email, reset_password };

struct TokenRecord {
  Id id = 0;
  Id account_id = 0;
  Millis expires_at = 0;
};

struct SessionRecord {
  std::string id_hash;
  Id account_id = 0;
  Millis created_at = 0;
  Millis last_seen_at = 0;
};

struct NewMail {
  std::string to;
  std::string subject;
  std::string body;
  // The body holds a secret (a single-use link): it is blanked in the transaction that marks the
  // mail sent.
  bool redact_when_sent = false;
};

struct OutboxMail {
  Id id = 0;
  std::string to;
  std::string subject;
  std::string body;
  std::string message_id;
  int attempts = 0;
  Millis created_at = 0;
};

// A finalized usage application (利用開始・変更申請); version 1 is the first, later versions are
// change applications, each naming the one it changes.
struct UsageApplicationRecord {
  Id id = 0;
  Id institution_id = 0;
  Id account_id = 0;
  std::string number;
  int version = 1;
  std::optional<Id> changes_id;
  std::string line_type;
  std::string customer_id;
  std::string start_date;  // YYYY-MM-DD
  int terminals = 1;
  std::string vendor_name;
  std::string vendor_contact;
  std::string vendor_phone;
  std::string idempotency_key;
  Millis finalized_at = 0;
};

// What a certificate application asks for: certificates for new terminals (発行申請) or the
// renewal (更新申請) of certificates the institution holds, which keep their terminal numbers.
enum class ApplicationKind { new_certificates, renewal };
// "new", "renewal": the text of the database and the audit log.
std::string_view application_kind_name(ApplicationKind k);

// A 電子証明書発行申請 with the fee and the expected notice date as quoted when applying.
// How an application's fees are paid (the form's 支払方法; billing_records.hpp).
enum class PaymentMethod { deduction, transfer };  // 診療報酬等からの控除, 払込請求書による振込
std::string_view payment_method_name(PaymentMethod m);  // "deduction", "transfer"
std::optional<PaymentMethod> parse_payment_method(std::string_view text);

struct CertificateApplicationRecord {
  Id id = 0;
  Id institution_id = 0;
  Id account_id = 0;
  Id usage_application_id = 0;
  std::string number;
  std::string classification;
  int prefecture = 0;
  std::string municipality_code;
  std::string institution_code;
  std::string institution_name;
  std::string department;
  std::string contact_name;
  std::string phone;
  std::string email;
  std::string signature_name;
  std::string postal_code;   // 7 digits, no hyphen; where the notice letter goes
  std::string address_line;  // the address after the municipality (町名・番地・建物名)
  int certificates = 1;
  std::int64_t fee_per_certificate = 0;
  int tax_rate_percent = 0;
  std::int64_t subtotal_yen = 0;
  std::int64_t tax_yen = 0;
  std::int64_t total_yen = 0;
  std::string applied_on;          // YYYY-MM-DD (JST)
  std::string expected_notice_on;  // YYYY-MM-DD: applied_on + 5 business days
  domain::CertificateApplicationState status = domain::CertificateApplicationState::applied;
  std::string status_note;
  std::string idempotency_key;
  Millis applied_at = 0;
  Millis updated_at = 0;
  std::optional<Id> approved_by;  // the operator who approved
  PaymentMethod payment_method = PaymentMethod::deduction;
  ApplicationKind kind = ApplicationKind::new_certificates;
};

// One certificate a renewal application renews (migration 0019): the one current when the clinic
// applied, by position in the application.
struct RenewalItem {
  Id application_id = 0;
  int position = 0;  // 1-based, as the application's certificates are counted
  Id certificate_id = 0;
  std::string issuance_number;
};

struct ApiToken {
  Id id = 0;
  Id account_id = 0;
  std::string label;
  Millis created_at = 0;
  std::optional<Millis> last_used_at;
  std::optional<Millis> revoked_at;
};

// What マイページ lists of each current certificate (the latest of its 発行番号).
struct CertificateRow {
  std::string serial_hex;
  std::string terminal;
  domain::CertificateState status = domain::CertificateState::issued;
  Millis not_after = 0;
  std::string issuance_number;
  Millis not_before = 0;
  std::optional<Millis> picked_up_at;      // the first download
  std::optional<Millis> pickup_closed_at;  // the code no longer works
  Millis pickup_expires_at = 0;
  int downloads = 0;
  bool pickup_locked = false;
  std::optional<Millis> revoked_at;
  std::optional<int> revocation_reason;   // RFC 5280 CRLReason
  std::optional<Millis> invalidity_date;  // keyCompromise: compromised since
};

// One download of a certificate, from the pickup page or EST.
struct CertificateDownload {
  Id id = 0;
  Id certificate_id = 0;
  Millis downloaded_at = 0;
  std::string client_address;
  std::string what;  // pkcs12-standard, pkcs12-compatible, pem, der, p7b, csr, est-…
};

// Why a pickup code stopped working (certificates.pickup_closed_how).
enum class PickupClosed { completed, lapsed, replaced, voided, expired };
std::string_view pickup_closed_name(PickupClosed how);

struct AuditEntry {
  std::string actor;    // "account:12", "cli", "system"
  std::string action;   // "account.register", ...
  std::string subject;  // what it acted on
  std::string detail;   // JSON text
};

// The back office (migration 0004).
struct Operator {
  Id id = 0;
  std::string login;
  std::string display_name;
  domain::Role role = domain::Role::reviewer;
  std::string password_hash;
  std::string totp_secret;  // base32
  std::int64_t totp_last_step = 0;
  int failures = 0;
  Millis locked_until = 0;
  std::optional<Millis> disabled_at;
  Millis created_at = 0;
};

struct OperatorSession {
  std::string id_hash;
  Id operator_id = 0;
  Millis created_at = 0;
  Millis last_seen_at = 0;
};

// The review queue's filter; empty or zero fields do not filter.
struct ApplicationFilter {
  std::vector<domain::CertificateApplicationState> statuses;
  int prefecture = 0;
  std::string applied_from;  // YYYY-MM-DD, inclusive
  std::string applied_to;    // YYYY-MM-DD, inclusive
  std::string number;        // exact 申請番号
  int limit = 500;
};

// Who made the key a certificate certifies: the terminal's vendor (a CSR) or the CA (delivered in
// a PKCS#12 at pickup).
enum class KeySource { csr, generated };
// "csr", "generated": the text of the database and the audit log.
std::string_view key_source_name(KeySource k);

struct CertificateRecord {
  Id id = 0;
  Id institution_id = 0;
  Id application_id = 0;
  std::string issuance_number;  // 発行番号
  std::string terminal;         // T01
  std::string serial_hex;
  std::string subject;
  Millis not_before = 0;
  Millis not_after = 0;
  std::string der;
  std::string spki_sha256;  // SHA-256 of the SubjectPublicKeyInfo, hex
  KeySource key_source = KeySource::csr;
  std::optional<std::string> sealed_key;
  domain::CertificateState status = domain::CertificateState::issued;
  std::string pickup_code_hash;
  std::optional<std::string> sealed_pickup_code;
  Millis pickup_expires_at = 0;
  int pickup_failures = 0;
  std::optional<Millis> picked_up_at;  // the first download
  std::optional<Millis> revoked_at;
  std::optional<int> revocation_reason;
  std::optional<Id> issued_by;
  Millis issued_at = 0;
  int generation = 1;  // 2 for the replacement of generation 1 under the same 発行番号, ...
  std::optional<Millis> pickup_locked_at;
  std::optional<Millis> pickup_closed_at;
  std::optional<PickupClosed> pickup_closed_how;
  std::optional<Millis> replaced_at;  // no longer the number's current certificate
  bool renewed = false;               // replaced by re-enrolment (else superseded), when replaced
  std::optional<Millis> invalidity_date;  // keyCompromise: compromised since (RFC 5280 5.3.2)
  std::string issuer_key_id;  // the AKI, lower-case hex: which issuing CA; empty when not known
};

// `onshi admin certificates list`: every certificate (all generations), newest first.
struct CertificateFilter {
  std::optional<std::string> institution_code;
  std::optional<domain::CertificateState> status;
  int limit = 100;
};

// 失効 asked by an institution: what one idempotency key revoked (migration 0016).
struct RevocationRequestRecord {
  Id id = 0;
  Id institution_id = 0;
  Id account_id = 0;
  std::string idempotency_key;
  std::vector<std::string> certificates;  // 発行番号, in the request's order
  int reason = 0;
  Millis requested_at = 0;
};

// One certificate of an issuance between its two transactions (app/ca/issuance.cpp): the
// serial is reserved and `planned` holds everything but what signing produces (subject, dates,
// DER).
struct IssuanceReservation {
  Id id = 0;
  Id application_id = 0;
  int position = 0;  // 1-based certificate of the application
  std::string public_key_der;
  CertificateRecord planned;
  Millis reserved_at = 0;
};

struct NoticeLetterRecord {
  Id id = 0;
  Id application_id = 0;
  Millis created_at = 0;
  std::optional<Millis> printed_at;
  std::optional<std::string> tracking_number;  // 書留番号
  std::optional<std::string> mailed_on;        // YYYY-MM-DD
  std::optional<Id> recorded_by;
  std::optional<Millis> recorded_at;
  std::optional<Millis> reprinted_at;  // the latest 新しい取得コードで再印刷
  bool resend_due = false;  // reprinted after posting: the resend's 書留 is not recorded
};

struct AuditRecord {
  std::int64_t seq = 0;
  Millis at = 0;
  std::string actor;
  std::string action;
  std::string subject;
  std::string detail;
  std::string prev_hash;
  std::string hash;
};

// Empty fields do not filter. Newest first, `limit` rows below `before_seq` (0: from the newest).
struct AuditFilter {
  std::string actor;          // exact, e.g. "operator:3"
  std::string action_prefix;  // e.g. "application."
  std::string subject;        // exact, e.g. "C-00000012"
  Millis from = 0;
  Millis to = 0;
  std::int64_t before_seq = 0;
  int limit = 100;
};

// A CRL of one issuing CA generation (migration 0014): its number is reserved in one transaction,
// signed outside any, then recorded; a reservation never recorded keeps its number used.
struct CrlRecord {
  std::string issuer_key_id;  // the issuing CA certificate's subjectKeyIdentifier, hex
  std::int64_t crl_number = 0;
  std::optional<std::int64_t> delta_base;  // a delta CRL against this full CRL; nothing: full
  Millis this_update = 0;
  Millis next_update = 0;
  std::string der;                // empty until recorded, and when read without it
  std::int64_t revoked_seen = 0;  // the issuer's revocations up to this_update its read saw
  Millis created_at = 0;          // reserved at
  bool recorded = false;
};

// What a CRL entry needs of a revoked certificate.
struct RevokedEntry {
  std::string serial_hex;
  Millis revoked_at = 0;
  int reason = 0;
  std::optional<Millis> invalidity_date;
};

// Revoked certificates of one issuer: revoked in [revoked_from, revoked_until] and not expired
// before `not_after_from` (RFC 5280 3.3: an entry leaves once a CRL after its notAfter listed it).
struct RevokedScan {
  std::string issuer_key_id;
  Millis not_after_from = 0;
  Millis revoked_from = 0;
  Millis revoked_until = 0;
};

// A scheduler job's lease (job_leases): `holder` runs it until `lease_until`.
struct JobLease {
  std::string name;
  std::string holder;
  Millis lease_until = 0;
  Millis claimed_at = 0;  // when this holder took it
  Millis renewed_at = 0;  // its latest claim
};

}  // namespace onshi::store
