#pragma once
// The storage authority: use cases open one transaction per user action and call these
// repository methods on it. Nothing outside store/ sees SQL or the database API.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/records.hpp"

namespace onshi::store {

// Raised when a unique constraint refuses a row (e.g. an e-mail registered twice in a race).
struct UniqueViolation : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Tx {
 public:
  virtual ~Tx() = default;

  // institutions and accounts
  virtual std::optional<Institution> find_institution_by_code(const std::string& code) = 0;
  virtual std::optional<Institution> find_institution(Id id) = 0;
  virtual Id insert_institution(const std::string& code, const std::string& name, Millis now) = 0;
  virtual Id insert_account(const Account& a) = 0;
  virtual std::optional<Account> find_account_by_email_key(const std::string& email_key) = 0;
  virtual std::optional<Account> find_account(Id id) = 0;
  virtual void set_account_verified(Id id, Millis at) = 0;
  virtual void set_account_password(Id id, const std::string& hash) = 0;
  virtual void set_account_disabled(Id id, std::optional<Millis> at) = 0;
  virtual std::vector<AccountSummary> list_accounts() = 0;

  // Login throttling by subject ("account:" + an e-mail whether or not an account has it,
  // "operator:" + an unknown operator login; app/login_rules.hpp). An attempt counts as a failure
  // before its password is checked, in one atomic statement, so parallel guesses cannot all read
  // the same count; a success clears it.
  virtual LoginThrottle login_throttle(const std::string& key) = 0;
  // Atomically adds one attempt to `key` unless it is locked at `now`: the count with this
  // attempt, or nothing (and nothing counted) while locked.
  virtual std::optional<int> count_login_attempt(const std::string& key, Millis now) = 0;
  // Keeps `key` locked until `until` at least.
  virtual void lock_login(const std::string& key, Millis until) = 0;
  virtual void clear_login_throttle(const std::string& key) = 0;

  // single-use e-mailed tokens, stored hashed
  virtual void insert_token(TokenKind kind, const std::string& hash, Id account_id,
                            Millis expires_at, Millis now) = 0;
  virtual std::optional<TokenRecord> find_live_token(TokenKind kind, const std::string& hash,
                                                     Millis now) = 0;
  virtual void mark_token_used(Id token_id, Millis now) = 0;
  virtual void expire_tokens(TokenKind kind, Id account_id, Millis now) = 0;

  // sessions, stored by the hash of their id
  virtual void insert_session(const SessionRecord& s) = 0;
  virtual std::optional<SessionRecord> find_session(const std::string& id_hash) = 0;
  virtual void touch_session(const std::string& id_hash, Millis now) = 0;
  virtual void delete_session(const std::string& id_hash) = 0;
  virtual void delete_sessions_of(Id account_id, const std::string& except_id_hash) = 0;
  virtual void delete_sessions_idle_since(Millis idle_before, Millis created_before) = 0;

  // transactional outbox
  virtual Id enqueue_mail(const NewMail& m, const std::string& message_id, Millis now) = 0;
  virtual std::vector<OutboxMail> due_mail(Millis now, int limit) = 0;
  // Hides a due mail from other workers until `until` while this one sends it.
  virtual void lease_mail(Id id, Millis until) = 0;
  // Also blanks the body of a mail enqueued with redact_when_sent.
  virtual void mark_mail_sent(Id id, Millis now) = 0;
  virtual void mark_mail_failed(Id id, int attempts, Millis next_attempt_at,
                                const std::string& error) = 0;
  virtual std::int64_t pending_mail_count() = 0;

  // usage applications; insert assigns the number ("U-" and 8 digits) and returns the row
  virtual UsageApplicationRecord insert_usage_application(const UsageApplicationRecord& a) = 0;
  // Idempotency keys are the institution's own: another institution's same key is another key.
  virtual std::optional<UsageApplicationRecord> find_usage_application_by_key(
      Id institution_id, const std::string& key) = 0;
  virtual std::optional<UsageApplicationRecord> find_usage_application(
      Id institution_id, const std::string& number) = 0;
  // Newest version first.
  virtual std::vector<UsageApplicationRecord> usage_applications_of(Id institution_id) = 0;

  // certificate applications; insert assigns the number ("C-" and 8 digits)
  virtual CertificateApplicationRecord insert_certificate_application(
      const CertificateApplicationRecord& a) = 0;
  virtual std::optional<CertificateApplicationRecord> find_certificate_application_by_key(
      Id institution_id, const std::string& key) = 0;
  virtual std::optional<CertificateApplicationRecord> find_certificate_application(
      Id institution_id, const std::string& number) = 0;
  // Newest first.
  virtual std::vector<CertificateApplicationRecord> certificate_applications_of(
      Id institution_id) = 0;
  // Changes the status only if it is still `from` (false when another action got there first).
  virtual bool set_certificate_application_status(Id id, const std::string& from,
                                                  const std::string& to, const std::string& note,
                                                  Millis now) = 0;
  // 再申請 after 差戻し: replaces what the applicant typed, the fee, the dates, the idempotency key
  // and the status (the note is cleared) of `a.id`, only while it is still 'returned'.
  virtual bool resubmit_certificate_application(const CertificateApplicationRecord& a) = 0;

  // API tokens, stored by hash
  virtual Id insert_api_token(Id account_id, const std::string& hash, const std::string& label,
                              Millis now) = 0;
  // The live token's account, or nothing when unknown or revoked.
  virtual std::optional<ApiToken> find_api_token(const std::string& hash) = 0;
  virtual void touch_api_token(Id id, Millis now) = 0;
  virtual std::vector<ApiToken> api_tokens_of(Id account_id) = 0;
  virtual bool revoke_api_token(Id account_id, Id token_id, Millis now) = 0;

  // マイページ
  virtual std::vector<CertificateRow> certificates_of(Id institution_id) = 0;

  // append-only audit log, each entry chained to the previous by SHA-256
  virtual void append_audit(const AuditEntry& e, Millis now) = 0;

  // --- the back office (sqlite/sqlite_tx_operators.cpp, …_review.cpp, …_audit.cpp) ---

  // operators; insert throws UniqueViolation for a login that exists
  virtual Id insert_operator(const Operator& o) = 0;
  virtual std::optional<Operator> find_operator_by_login(const std::string& login) = 0;
  virtual std::optional<Operator> find_operator(Id id) = 0;
  virtual std::vector<Operator> list_operators() = 0;
  // The operator's login attempts, counted like count_login_attempt.
  virtual std::optional<int> count_operator_login_attempt(Id id, Millis now) = 0;
  virtual void lock_operator(Id id, Millis until) = 0;
  virtual void clear_operator_throttle(Id id) = 0;
  // Records the TOTP time step just used; false when that step (or a later one) was used already.
  virtual bool advance_operator_totp_step(Id id, std::int64_t step) = 0;
  virtual void set_operator_disabled(Id id, std::optional<Millis> at) = 0;
  virtual void insert_operator_session(const OperatorSession& s) = 0;
  virtual std::optional<OperatorSession> find_operator_session(const std::string& id_hash) = 0;
  virtual void touch_operator_session(const std::string& id_hash, Millis now) = 0;
  virtual void delete_operator_session(const std::string& id_hash) = 0;
  virtual void delete_operator_sessions_of(Id operator_id) = 0;

  // review and issuance
  virtual std::vector<CertificateApplicationRecord> find_certificate_applications(
      const ApplicationFilter& f) = 0;
  virtual std::optional<CertificateApplicationRecord> find_certificate_application_by_number(
      const std::string& number) = 0;
  virtual std::optional<CertificateApplicationRecord> find_certificate_application_by_id(Id id) = 0;
  virtual void set_certificate_application_approved_by(Id id, std::optional<Id> operator_id) = 0;
  // Throws UniqueViolation when the serial (or issuance number) exists; the caller draws again.
  virtual Id insert_certificate(const CertificateRecord& c) = 0;
  virtual std::vector<CertificateRecord> certificates_of_application(Id application_id) = 0;
  // True when any certificate (revoked or expired included) certifies this public key.
  virtual bool public_key_certified(const std::string& spki_sha256) = 0;
  // Every terminal number the institution's certificates use ("T01", ...).
  virtual std::vector<std::string> terminals_of(Id institution_id) = 0;

  // notice letters and their registered mail
  virtual Id insert_notice_letter(Id application_id, Millis now) = 0;
  virtual std::optional<NoticeLetterRecord> notice_letter_of(Id application_id) = 0;
  // Also erases the sealed pickup codes of the letter's certificates.
  virtual void mark_notice_letter_printed(Id letter_id, Millis now) = 0;
  virtual std::vector<NoticeLetterRecord> unprinted_notice_letters() = 0;
  // The number of the application whose letter was sent under this 書留 tracking number.
  virtual std::optional<std::string> application_mailed_as(const std::string& tracking_number) = 0;
  // False when the letter already has a tracking number (recorded by someone else meanwhile).
  virtual bool record_registered_mail(Id letter_id, const std::string& tracking_number,
                                      const std::string& mailed_on, Id operator_id, Millis now) = 0;

  // reading the audit log
  virtual std::vector<AuditRecord> audit_entries(const AuditFilter& f) = 0;
  // Every entry in order, for `onshi audit verify`; `visit` returns false to stop.
  virtual void scan_audit(const std::function<bool(const AuditRecord&)>& visit) = 0;

  // small key/value settings (e.g. the CSRF key shared by every node)
  virtual std::optional<std::string> setting(const std::string& key) = 0;
  virtual void put_setting(const std::string& key, const std::string& value) = 0;
};

class Database {
 public:
  virtual ~Database() = default;

  // Runs `work` in one transaction: committed when it returns, rolled back when it throws.
  virtual void write(const std::function<void(Tx&)>& work) = 0;
  // A read-only snapshot.
  virtual void read(const std::function<void(Tx&)>& work) = 0;

  // Applies the numbered migrations not yet applied; returns how many ran.
  virtual int migrate() = 0;
  virtual int schema_version() = 0;
  // True when the database answers a trivial query.
  virtual bool ping() noexcept = 0;
};

// `url` is "sqlite:PATH" or a bare path. `pool_size` connections are shared by all threads.
std::unique_ptr<Database> open_database(const std::string& url, int pool_size = 4);
// True when the URL names a database that exists (for SQLite, its file), so that a command can
// refuse a mistyped folder instead of creating an empty database there.
bool database_exists(const std::string& url);
// The schema version this build migrates to.
int current_schema_version();

}  // namespace onshi::store
