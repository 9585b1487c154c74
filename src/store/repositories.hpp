#pragma once
// The storage contract, one small interface per concern. Each concern has a reader (what a
// read-only transaction may do) and a writer that adds the changes; a ReadTx hands out readers
// only (database.hpp). Every backend implements all of them and passes the same contract suite
// (tests/unit/store/contract_*.cpp).
//
// Operations whose atomicity matters do it in one statement and say so in their names: claim_…,
// try_…, count_…, and the `from`-guarded status changes. None of them relies on a single writer.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/records.hpp"
#include "store/reminder_records.hpp"
#include "store/status_repositories.hpp"

namespace onshi::store {

// institutions and their accounts
class AccountsReader {
 public:
  virtual ~AccountsReader() = default;
  virtual std::optional<Institution> find_institution_by_code(const std::string& code) = 0;
  virtual std::optional<Institution> find_institution(Id id) = 0;
  virtual std::optional<Account> find_account_by_email_key(const std::string& email_key) = 0;
  virtual std::optional<Account> find_account(Id id) = 0;
  virtual std::vector<AccountSummary> list_accounts() = 0;
};
class AccountsWriter : public AccountsReader {
 public:
  // Both throw UniqueViolation for a code or e-mail that exists.
  virtual Id insert_institution(const std::string& code, const std::string& name, Millis now) = 0;
  virtual Id insert_account(const Account& a) = 0;
  virtual void set_account_verified(Id id, Millis at) = 0;
  virtual void set_account_password(Id id, const std::string& hash) = 0;
  virtual void set_account_disabled(Id id, std::optional<Millis> at) = 0;
};

// the portal's sessions, stored by the hash of their id
class SessionsReader {
 public:
  virtual ~SessionsReader() = default;
  virtual std::optional<SessionRecord> find_session(const std::string& id_hash) = 0;
};
class SessionsWriter : public SessionsReader {
 public:
  virtual void insert_session(const SessionRecord& s) = 0;
  virtual void touch_session(const std::string& id_hash, Millis now) = 0;
  virtual void delete_session(const std::string& id_hash) = 0;
  virtual void delete_sessions_of(Id account_id, const std::string& except_id_hash) = 0;
  virtual void delete_sessions_idle_since(Millis idle_before, Millis created_before) = 0;
};

// single-use e-mailed tokens and API tokens (stored hashed), and the login throttle
class TokensReader {
 public:
  virtual ~TokensReader() = default;
  virtual std::optional<TokenRecord> find_live_token(TokenKind kind, const std::string& hash,
                                                     Millis now) = 0;
  // The live API token's account, or nothing when unknown or revoked.
  virtual std::optional<ApiToken> find_api_token(const std::string& hash) = 0;
  virtual std::vector<ApiToken> api_tokens_of(Id account_id) = 0;
  // Login throttling by subject ("account:" + an e-mail whether or not an account has it,
  // "operator:" + an unknown operator login; app/login_rules.hpp).
  virtual LoginThrottle login_throttle(const std::string& key) = 0;
};
class TokensWriter : public TokensReader {
 public:
  virtual void insert_token(TokenKind kind, const std::string& hash, Id account_id,
                            Millis expires_at, Millis now) = 0;
  virtual void mark_token_used(Id token_id, Millis now) = 0;
  virtual void expire_tokens(TokenKind kind, Id account_id, Millis now) = 0;
  virtual Id insert_api_token(Id account_id, const std::string& hash, const std::string& label,
                              Millis now) = 0;
  virtual void touch_api_token(Id id, Millis now) = 0;
  virtual bool revoke_api_token(Id account_id, Id token_id, Millis now) = 0;
  // An attempt counts as a failure before its password is checked, in one atomic statement, so
  // that parallel guesses cannot all read the same count: the count with this attempt, or
  // nothing (and nothing counted) while `key` is locked at `now`. A success clears it.
  virtual std::optional<int> count_login_attempt(const std::string& key, Millis now) = 0;
  // Keeps `key` locked until `until` at least.
  virtual void lock_login(const std::string& key, Millis until) = 0;
  virtual void clear_login_throttle(const std::string& key) = 0;
  // Takes back one counted attempt that turned out right (a pickup's right pair), without
  // clearing the failures before it.
  virtual void forgive_login_attempt(const std::string& key) = 0;
};

// the transactional outbox
class OutboxReader {
 public:
  virtual ~OutboxReader() = default;
  virtual std::int64_t pending_mail_count() = 0;
  // What claim_due_mail would take now, without taking it (the operators' view, tests).
  virtual std::vector<OutboxMail> due_mail(Millis now, int limit) = 0;
};
class OutboxWriter : public OutboxReader {
 public:
  // Throws UniqueViolation for a message id that exists.
  virtual Id enqueue_mail(const NewMail& m, const std::string& message_id, Millis now) = 0;
  // Takes up to `limit` mails due at `now` and hides them from every other worker until
  // `lease_until`, in one statement: two workers never claim the same mail.
  virtual std::vector<OutboxMail> claim_due_mail(Millis now, int limit, Millis lease_until) = 0;
  // Moves the next attempt of a claimed, unsent mail to `until`.
  virtual void postpone_mail(Id id, Millis until) = 0;
  // Also blanks the body of a mail enqueued with redact_when_sent.
  virtual void mark_mail_sent(Id id, Millis now) = 0;
  virtual void mark_mail_failed(Id id, int attempts, Millis next_attempt_at,
                                const std::string& error) = 0;
};

// 利用申請; insert assigns the number ("U-" and 8 digits) and returns the row
class UsageApplicationsReader {
 public:
  virtual ~UsageApplicationsReader() = default;
  // Idempotency keys are the institution's own: another institution's same key is another key.
  virtual std::optional<UsageApplicationRecord> find_usage_application_by_key(
      Id institution_id, const std::string& key) = 0;
  virtual std::optional<UsageApplicationRecord> find_usage_application(
      Id institution_id, const std::string& number) = 0;
  // Newest version first.
  virtual std::vector<UsageApplicationRecord> usage_applications_of(Id institution_id) = 0;
};
class UsageApplicationsWriter : public UsageApplicationsReader {
 public:
  virtual UsageApplicationRecord insert_usage_application(const UsageApplicationRecord& a) = 0;
};

// 電子証明書発行申請; insert assigns the number ("C-" and 8 digits)
class CertificateApplicationsReader {
 public:
  virtual ~CertificateApplicationsReader() = default;
  virtual std::optional<CertificateApplicationRecord> find_certificate_application_by_key(
      Id institution_id, const std::string& key) = 0;
  // The institution's own application (the portal never sees another's).
  virtual std::optional<CertificateApplicationRecord> find_certificate_application(
      Id institution_id, const std::string& number) = 0;
  // Newest first.
  virtual std::vector<CertificateApplicationRecord> certificate_applications_of(
      Id institution_id) = 0;
  // The back office's views, across institutions.
  virtual std::vector<CertificateApplicationRecord> find_certificate_applications(
      const ApplicationFilter& f) = 0;
  virtual std::optional<CertificateApplicationRecord> find_certificate_application_by_number(
      const std::string& number) = 0;
  virtual std::optional<CertificateApplicationRecord> find_certificate_application_by_id(Id id) = 0;
  // A renewal application's certificates, by position.
  virtual std::vector<RenewalItem> renewal_items(Id application_id) = 0;
  // The 発行番号 the institution's renewal applications under way (applied, under review,
  // returned or approved: not yet issued, rejected or withdrawn) renew.
  virtual std::vector<std::string> numbers_being_renewed(Id institution_id) = 0;
};
class CertificateApplicationsWriter : public CertificateApplicationsReader {
 public:
  virtual CertificateApplicationRecord insert_certificate_application(
      const CertificateApplicationRecord& a) = 0;
  // Changes the status only if it is still `from`, in one statement (false when another action
  // got there first).
  virtual bool set_certificate_application_status(Id id, domain::CertificateApplicationState from,
                                                  domain::CertificateApplicationState to,
                                                  const std::string& note, Millis now) = 0;
  // 再申請 after 差戻し: replaces what the applicant typed, the fee, the dates, the idempotency key
  // and the status (the note is cleared) of `a.id`, only while it is still 'returned'.
  virtual bool resubmit_certificate_application(const CertificateApplicationRecord& a) = 0;
  virtual void set_certificate_application_approved_by(Id id, std::optional<Id> operator_id) = 0;
  virtual void insert_renewal_item(const RenewalItem& item) = 0;
};

// issued certificates
class CertificatesReader {
 public:
  virtual ~CertificatesReader() = default;
  // マイページ
  virtual std::vector<CertificateRow> certificates_of(Id institution_id) = 0;
  virtual std::vector<CertificateRecord> certificates_of_application(Id application_id) = 0;
  // True when any certificate (revoked or expired included) certifies this public key.
  virtual bool public_key_certified(const std::string& spki_sha256) = 0;
  // Every terminal number the institution's certificates use ("T01", ...).
  virtual std::vector<std::string> terminals_of(Id institution_id) = 0;
  // The number's current certificate (its latest generation), any institution's.
  virtual std::optional<CertificateRecord> find_current_certificate(
      const std::string& issuance_number) = 0;
  virtual std::optional<CertificateRecord> find_certificate_by_serial(
      const std::string& serial_hex) = 0;
  // Every generation of a number, oldest first (the certificate's page shows what replaced what).
  virtual std::vector<CertificateRecord> generations_of(const std::string& issuance_number) = 0;
  virtual std::vector<CertificateDownload> downloads_of(Id certificate_id) = 0;
  virtual std::vector<CertificateRecord> find_certificates(const CertificateFilter& filter) = 0;
  // Open pickups downloaded by `first_download_before` or whose window ended by `now`: their
  // re-download days are over and the sweeper closes them.
  virtual std::vector<CertificateRecord> lapsed_pickups(Millis first_download_before,
                                                        Millis now) = 0;
  // 発行済 certificates nobody picked up, still current and unrevoked, whose pickup deadline
  // passed by `deadline_before`: the scheduler revokes them (CPIPCS 4.4.4).
  virtual std::vector<CertificateRecord> unpicked_past(Millis deadline_before) = 0;
  // Certificates replaced by renewal (EST re-enrolment or a renewal application), neither revoked
  // nor expired at `now`, whose successor (the next generation) was first downloaded by
  // `picked_up_before`: the overlap is over and the scheduler revokes them (superseded).
  virtual std::vector<CertificateRecord> renewed_past_overlap(Millis picked_up_before,
                                                              Millis now) = 0;
  // The institution's request made with this idempotency key, if any.
  virtual std::optional<RevocationRequestRecord> find_revocation_request(
      Id institution_id, const std::string& idempotency_key) = 0;
  // Up to `limit` certificates stored before their issuer key id was (migration 0013): id, DER.
  virtual std::vector<std::pair<Id, std::string>> certificates_without_issuer_key_id(int limit) = 0;
};
class CertificatesWriter : public CertificatesReader {
 public:
  // Stores `c` unless its serial or issuance number exists, in one statement (ON CONFLICT DO
  // NOTHING): false then, and the transaction is still usable, so the caller draws again.
  virtual bool try_insert_certificate(const CertificateRecord& c) = 0;
  // The same, answering the new row's id (none where try_insert_certificate answers false).
  virtual std::optional<Id> try_insert_certificate_id(const CertificateRecord& c) = 0;
  // 新しい取得コードで再印刷: the code's new hash and deadline, the failed attempts cleared and no
  // sealed copy, only while the certificate is 発行済 and neither picked up nor revoked, in one
  // statement (false otherwise). The old code no longer matches anything.
  virtual bool replace_pickup_code(Id certificate_id, const std::string& pickup_code_hash,
                                   Millis pickup_expires_at) = 0;
  // A wrong code for this certificate, counted in one statement so that parallel guesses cannot
  // all read the same count; the pickup locks at `max_attempts`. The count with this failure, or
  // nothing (and nothing counted) while it is locked.
  virtual std::optional<int> count_pickup_failure(Id certificate_id, int max_attempts,
                                                  Millis now) = 0;
  // Clears the lock and the count; false when it was not locked.
  virtual bool unlock_pickup(Id certificate_id) = 0;
  // The first download: 発行済 -> 有効 and picked_up_at, once (false when it was picked up).
  virtual bool mark_picked_up(Id certificate_id, Millis now) = 0;
  virtual void insert_download(const CertificateDownload& d) = 0;
  // The code stops working for good and the sealed key is destroyed (NULL) in the same statement;
  // false when it was closed already.
  virtual bool close_pickup(Id certificate_id, PickupClosed how, Millis now) = 0;
  // 端末で作成した CSR を使う: the unused certificate is no longer its number's current one, is
  // revoked (superseded) and its key destroyed, only while it was never downloaded, not revoked
  // and still current (false otherwise: someone else acted first).
  virtual bool supersede_unused_certificate(Id certificate_id, Millis now) = 0;
  // 失効: 発行済 or 有効 -> 失効 with its RFC 5280 reason code, once (false when it was revoked
  // already or is in another state); the sealed key and code are destroyed with it.
  virtual bool revoke_certificate(Id certificate_id, int reason, Millis now,
                                  std::optional<Millis> invalidity_date) = 0;
  // Re-enrolment: the certificate stays valid until it expires but is no longer current.
  virtual bool mark_renewed(Id certificate_id, Millis now) = 0;
  // Never picked up: 発行済 -> 失効 (cessationOfOperation), its pickup closed ('expired') and its
  // sealed key and code destroyed, in one statement and only while it is still unpicked, current
  // and its deadline is before `deadline_before`; false otherwise (a reprint renewed the
  // deadline, someone picked it up or another node revoked it first).
  virtual bool revoke_unpicked(Id certificate_id, Millis deadline_before, Millis now) = 0;
  // Stores the request unless the institution used its key before (false then).
  virtual bool try_insert_revocation_request(const RevocationRequestRecord& r) = 0;
  // Fills in a missing issuer key id; false when it was set already.
  virtual bool set_issuer_key_id(Id certificate_id, const std::string& issuer_key_id) = 0;
};

// issuance in steps: serials reserved before signing, settled after it
class IssuanceReader {
 public:
  virtual ~IssuanceReader() = default;
  // The application's reservations still waiting for their certificates, by position.
  virtual std::vector<IssuanceReservation> reserved_for(Id application_id) = 0;
  // Every reservation waiting since before `reserved_before` (left by a crash or a lost node).
  virtual std::vector<IssuanceReservation> reserved_before(Millis reserved_before) = 0;
};
class IssuanceWriter : public IssuanceReader {
 public:
  // Stores `r` unless its serial was ever reserved or certified, or its position of the
  // application is reserved already, in one statement: its id, or nothing then (the caller draws
  // another serial, or another issuer got there first).
  virtual std::optional<Id> try_reserve(const IssuanceReservation& r) = 0;
  // Moves a reservation from reserved to `issued` or `abandoned`, only while it is reserved
  // (false when the sweeper or another node settled it meanwhile), and forgets its sealed key and
  // pickup code: the certificate row holds them from then on, or nobody.
  virtual bool settle_reservation(Id id, bool issued, Millis now) = 0;
};

// 電子証明書発行通知書 and their registered mail
class NoticeLettersReader {
 public:
  virtual ~NoticeLettersReader() = default;
  virtual std::optional<NoticeLetterRecord> notice_letter_of(Id application_id) = 0;
  virtual std::vector<NoticeLetterRecord> unprinted_notice_letters() = 0;
  // Letters reprinted after they were posted, whose resend's registered mail waits to be recorded.
  virtual std::vector<NoticeLetterRecord> resend_due_notice_letters() = 0;
  // The number of the application whose letter was sent under this 書留 tracking number (its
  // latest mailing or an earlier one).
  virtual std::optional<std::string> application_mailed_as(const std::string& tracking_number) = 0;
};
class NoticeLettersWriter : public NoticeLettersReader {
 public:
  virtual Id insert_notice_letter(Id application_id, Millis now) = 0;
  // Also erases the sealed pickup codes of the letter's certificates.
  virtual void mark_notice_letter_printed(Id letter_id, Millis now) = 0;
  // False when the letter already has a tracking number (recorded by someone else meanwhile),
  // unless a resend is due: then the earlier mailing is kept in the letter's history and this one
  // becomes the letter's, and the resend is no longer due.
  virtual bool record_registered_mail(Id letter_id, const std::string& tracking_number,
                                      const std::string& mailed_on, Id operator_id, Millis now) = 0;
  // 新しい取得コードで再印刷 at `now`; a letter already posted then waits for its resend.
  virtual void mark_notice_letter_reprinted(Id letter_id, Millis now) = 0;
};

// back-office operators and their sessions
class OperatorsReader {
 public:
  virtual ~OperatorsReader() = default;
  virtual std::optional<Operator> find_operator_by_login(const std::string& login) = 0;
  virtual std::optional<Operator> find_operator(Id id) = 0;
  virtual std::vector<Operator> list_operators() = 0;
  virtual std::optional<OperatorSession> find_operator_session(const std::string& id_hash) = 0;
};
class OperatorsWriter : public OperatorsReader {
 public:
  // Throws UniqueViolation for a login that exists.
  virtual Id insert_operator(const Operator& o) = 0;
  // The operator's login attempts, counted like TokensWriter::count_login_attempt.
  virtual std::optional<int> count_operator_login_attempt(Id id, Millis now) = 0;
  virtual void lock_operator(Id id, Millis until) = 0;
  virtual void clear_operator_throttle(Id id) = 0;
  // Records the TOTP time step just used; false when that step (or a later one) was used already.
  virtual bool advance_operator_totp_step(Id id, std::int64_t step) = 0;
  virtual void set_operator_disabled(Id id, std::optional<Millis> at) = 0;
  virtual void insert_operator_session(const OperatorSession& s) = 0;
  virtual void touch_operator_session(const std::string& id_hash, Millis now) = 0;
  virtual void delete_operator_session(const std::string& id_hash) = 0;
  virtual void delete_operator_sessions_of(Id operator_id) = 0;
};

// the append-only audit log, each entry chained to the previous by SHA-256
class AuditReader {
 public:
  virtual ~AuditReader() = default;
  virtual std::vector<AuditRecord> audit_entries(const AuditFilter& f) = 0;
  // Every entry in order, for `onshi audit verify`; `visit` returns false to stop.
  virtual void scan_audit(const std::function<bool(const AuditRecord&)>& visit) = 0;
};
class AuditWriter : public AuditReader {
 public:
  // Appends after the chain's head. The engine refuses two entries after the same head (a unique
  // index on prev_hash), so two appends racing in two transactions cannot fork the chain: the
  // loser's transaction fails with TransientConflict and Database::write runs it again.
  virtual void append_audit(const AuditEntry& e, Millis now) = 0;
};

// small key/value settings (e.g. the CSRF key shared by every node)
class SettingsReader {
 public:
  virtual ~SettingsReader() = default;
  virtual std::optional<std::string> setting(const std::string& key) = 0;
};
class SettingsWriter : public SettingsReader {
 public:
  virtual void put_setting(const std::string& key, const std::string& value) = 0;
};

// the scheduler's jobs that several nodes run once between them, each leased to one node
class JobsReader {
 public:
  virtual ~JobsReader() = default;
  virtual std::optional<JobLease> job_lease(const std::string& name) = 0;
};
class JobsWriter : public JobsReader {
 public:
  // Takes the job for `holder` until `lease_until` in one statement, only when nobody holds it,
  // its lease ran out by `now` or `holder` holds it already (a renewal): true then. False while
  // another holder's lease runs, and nothing changes.
  virtual bool try_claim_job(const std::string& name, const std::string& holder, Millis now,
                             Millis lease_until) = 0;
  // Gives the job up at once, so that another node need not wait for the lease to run out; false
  // when `holder` did not hold it.
  virtual bool release_job(const std::string& name, const std::string& holder) = 0;
};

// 有効期限のお知らせ: the certificates nearing or past their notAfter, and the reminders mailed
class RemindersReader {
 public:
  virtual ~RemindersReader() = default;
  // Current, unrevoked certificates (発行済 or 有効) whose notAfter is in [not_after_from,
  // not_after_before), by institution, then notAfter, then 発行番号.
  virtual std::vector<ExpiringCertificate> expiring_certificates(Millis not_after_from,
                                                                 Millis not_after_before) = 0;
  // The same, counted by the prefecture of their application's address, by prefecture.
  virtual std::vector<ExpiryCount> count_expiring(Millis not_after_from,
                                                  Millis not_after_before) = 0;
  // The addresses of the institution's verified accounts that are not disabled, oldest first.
  virtual std::vector<std::string> account_addresses(Id institution_id) = 0;
  // The thresholds reminded of for this certificate, in the order they were recorded.
  virtual std::vector<int> reminders_sent(Id certificate_id) = 0;
};
class RemindersWriter : public RemindersReader {
 public:
  // Records the reminder of `threshold_days` for the certificate unless it was recorded before,
  // in one statement (ON CONFLICT DO NOTHING): true when this call stored it, and so the caller
  // mails it in the same transaction; false when another run (any node) did.
  virtual bool try_record_reminder(Id certificate_id, int threshold_days, Millis now) = 0;
};

}  // namespace onshi::store
