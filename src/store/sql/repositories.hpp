#pragma once
// The repositories of both engines: one class per concern of store/repositories.hpp, each on the
// session of the transaction that owns it (sql_tx.hpp), the same SQL for both engines.
#include "store/billing_repositories.hpp"
#include "store/repositories.hpp"
#include "store/sql/row_text.hpp"
#include "store/sql/session.hpp"

namespace onshi::store::sql {

class SqlAccounts final : public AccountsWriter {
 public:
  explicit SqlAccounts(Session& c) : c_(c) {}
  std::optional<Institution> find_institution_by_code(const std::string& code) override;
  std::optional<Institution> find_institution(Id id) override;
  std::optional<Account> find_account_by_email_key(const std::string& email_key) override;
  std::optional<Account> find_account(Id id) override;
  std::vector<AccountSummary> list_accounts() override;
  Id insert_institution(const std::string& code, const std::string& name, Millis now) override;
  Id insert_account(const Account& a) override;
  void set_account_verified(Id id, Millis at) override;
  void set_account_password(Id id, const std::string& hash) override;
  void set_account_disabled(Id id, std::optional<Millis> at) override;

 private:
  Session& c_;
};

class SqlSessions final : public SessionsWriter {
 public:
  explicit SqlSessions(Session& c) : c_(c) {}
  std::optional<SessionRecord> find_session(const std::string& id_hash) override;
  void insert_session(const SessionRecord& s) override;
  void touch_session(const std::string& id_hash, Millis now) override;
  void delete_session(const std::string& id_hash) override;
  void delete_sessions_of(Id account_id, const std::string& except_id_hash) override;
  void delete_sessions_idle_since(Millis idle_before, Millis created_before) override;

 private:
  Session& c_;
};

class SqlTokens final : public TokensWriter {
 public:
  explicit SqlTokens(Session& c) : c_(c) {}
  std::optional<TokenRecord> find_live_token(TokenKind kind, const std::string& hash,
                                             Millis now) override;
  std::optional<ApiToken> find_api_token(const std::string& hash) override;
  std::vector<ApiToken> api_tokens_of(Id account_id) override;
  LoginThrottle login_throttle(const std::string& key) override;
  void insert_token(TokenKind kind, const std::string& hash, Id account_id, Millis expires_at,
                    Millis now) override;
  void mark_token_used(Id token_id, Millis now) override;
  void expire_tokens(TokenKind kind, Id account_id, Millis now) override;
  Id insert_api_token(Id account_id, const std::string& hash, const std::string& label,
                      Millis now) override;
  void touch_api_token(Id id, Millis now) override;
  bool revoke_api_token(Id account_id, Id token_id, Millis now) override;
  std::optional<int> count_login_attempt(const std::string& key, Millis now) override;
  void lock_login(const std::string& key, Millis until) override;
  void clear_login_throttle(const std::string& key) override;
  void forgive_login_attempt(const std::string& key) override;

 private:
  Session& c_;
};

class SqlOutbox final : public OutboxWriter {
 public:
  explicit SqlOutbox(Session& c) : c_(c) {}
  std::int64_t pending_mail_count() override;
  Id enqueue_mail(const NewMail& m, const std::string& message_id, Millis now) override;
  std::vector<OutboxMail> due_mail(Millis now, int limit) override;
  std::vector<OutboxMail> claim_due_mail(Millis now, int limit, Millis lease_until) override;
  void postpone_mail(Id id, Millis until) override;
  void mark_mail_sent(Id id, Millis now) override;
  void mark_mail_failed(Id id, int attempts, Millis next_attempt_at,
                        const std::string& error) override;

 private:
  Session& c_;
};

class SqlUsageApplications final : public UsageApplicationsWriter {
 public:
  explicit SqlUsageApplications(Session& c) : c_(c) {}
  std::optional<UsageApplicationRecord> find_usage_application_by_key(
      Id institution_id, const std::string& key) override;
  std::optional<UsageApplicationRecord> find_usage_application(Id institution_id,
                                                               const std::string& number) override;
  std::vector<UsageApplicationRecord> usage_applications_of(Id institution_id) override;
  UsageApplicationRecord insert_usage_application(const UsageApplicationRecord& a) override;

 private:
  Session& c_;
};

class SqlCertificateApplications final : public CertificateApplicationsWriter {
 public:
  explicit SqlCertificateApplications(Session& c) : c_(c) {}
  std::optional<CertificateApplicationRecord> find_certificate_application_by_key(
      Id institution_id, const std::string& key) override;
  std::optional<CertificateApplicationRecord> find_certificate_application(
      Id institution_id, const std::string& number) override;
  std::vector<CertificateApplicationRecord> certificate_applications_of(Id institution_id) override;
  std::vector<CertificateApplicationRecord> find_certificate_applications(
      const ApplicationFilter& f) override;
  std::optional<CertificateApplicationRecord> find_certificate_application_by_number(
      const std::string& number) override;
  std::optional<CertificateApplicationRecord> find_certificate_application_by_id(Id id) override;
  CertificateApplicationRecord insert_certificate_application(
      const CertificateApplicationRecord& a) override;
  bool set_certificate_application_status(Id id, domain::CertificateApplicationState from,
                                          domain::CertificateApplicationState to,
                                          const std::string& note, Millis now) override;
  bool resubmit_certificate_application(const CertificateApplicationRecord& a) override;
  void set_certificate_application_approved_by(Id id, std::optional<Id> operator_id) override;
  std::vector<RenewalItem> renewal_items(Id application_id) override;
  std::vector<std::string> numbers_being_renewed(Id institution_id) override;
  void insert_renewal_item(const RenewalItem& item) override;

 private:
  Session& c_;
};

class SqlCertificates final : public CertificatesWriter {
 public:
  explicit SqlCertificates(Session& c) : c_(c) {}
  std::vector<CertificateRow> certificates_of(Id institution_id) override;
  std::vector<CertificateRecord> certificates_of_application(Id application_id) override;
  bool public_key_certified(const std::string& spki_sha256) override;
  std::vector<std::string> terminals_of(Id institution_id) override;
  bool try_insert_certificate(const CertificateRecord& c) override;
  std::optional<Id> try_insert_certificate_id(const CertificateRecord& c) override;
  std::vector<std::pair<Id, std::string>> certificates_without_issuer_key_id(int limit) override;
  bool set_issuer_key_id(Id certificate_id, const std::string& issuer_key_id) override;
  bool replace_pickup_code(Id certificate_id, const std::string& pickup_code_hash,
                           Millis pickup_expires_at) override;
  std::optional<CertificateRecord> find_current_certificate(
      const std::string& issuance_number) override;
  std::optional<CertificateRecord> find_certificate_by_serial(
      const std::string& serial_hex) override;
  std::vector<CertificateRecord> generations_of(const std::string& issuance_number) override;
  std::vector<CertificateDownload> downloads_of(Id certificate_id) override;
  std::vector<CertificateRecord> find_certificates(const CertificateFilter& filter) override;
  bool revoke_certificate(Id certificate_id, int reason, Millis now,
                          std::optional<Millis> invalidity_date) override;
  std::vector<CertificateRecord> lapsed_pickups(Millis first_download_before, Millis now) override;
  std::optional<int> count_pickup_failure(Id certificate_id, int max_attempts, Millis now) override;
  bool unlock_pickup(Id certificate_id) override;
  bool mark_picked_up(Id certificate_id, Millis now) override;
  void insert_download(const CertificateDownload& d) override;
  bool close_pickup(Id certificate_id, PickupClosed how, Millis now) override;
  bool supersede_unused_certificate(Id certificate_id, Millis now) override;
  bool mark_renewed(Id certificate_id, Millis now) override;
  // revocation_requests.cpp
  std::vector<CertificateRecord> unpicked_past(Millis deadline_before) override;
  std::vector<CertificateRecord> renewed_past_overlap(Millis picked_up_before, Millis now) override;
  bool revoke_unpicked(Id certificate_id, Millis deadline_before, Millis now) override;
  std::optional<RevocationRequestRecord> find_revocation_request(
      Id institution_id, const std::string& idempotency_key) override;
  bool try_insert_revocation_request(const RevocationRequestRecord& r) override;

 private:
  Session& c_;
};

class SqlIssuance final : public IssuanceWriter {
 public:
  explicit SqlIssuance(Session& c) : c_(c) {}
  std::vector<IssuanceReservation> reserved_for(Id application_id) override;
  std::vector<IssuanceReservation> reserved_before(Millis reserved_before) override;
  std::optional<Id> try_reserve(const IssuanceReservation& r) override;
  bool settle_reservation(Id id, bool issued, Millis now) override;

 private:
  Session& c_;
};

class SqlNoticeLetters final : public NoticeLettersWriter {
 public:
  explicit SqlNoticeLetters(Session& c) : c_(c) {}
  std::optional<NoticeLetterRecord> notice_letter_of(Id application_id) override;
  std::vector<NoticeLetterRecord> unprinted_notice_letters() override;
  std::vector<NoticeLetterRecord> resend_due_notice_letters() override;
  std::optional<std::string> application_mailed_as(const std::string& tracking_number) override;
  Id insert_notice_letter(Id application_id, Millis now) override;
  void mark_notice_letter_printed(Id letter_id, Millis now) override;
  bool record_registered_mail(Id letter_id, const std::string& tracking_number,
                              const std::string& mailed_on, Id operator_id, Millis now) override;
  void mark_notice_letter_reprinted(Id letter_id, Millis now) override;

 private:
  Session& c_;
};

class SqlOperators final : public OperatorsWriter {
 public:
  explicit SqlOperators(Session& c) : c_(c) {}
  std::optional<Operator> find_operator_by_login(const std::string& login) override;
  std::optional<Operator> find_operator(Id id) override;
  std::vector<Operator> list_operators() override;
  std::optional<OperatorSession> find_operator_session(const std::string& id_hash) override;
  Id insert_operator(const Operator& o) override;
  std::optional<int> count_operator_login_attempt(Id id, Millis now) override;
  void lock_operator(Id id, Millis until) override;
  void clear_operator_throttle(Id id) override;
  bool advance_operator_totp_step(Id id, std::int64_t step) override;
  void set_operator_disabled(Id id, std::optional<Millis> at) override;
  void insert_operator_session(const OperatorSession& s) override;
  void touch_operator_session(const std::string& id_hash, Millis now) override;
  void delete_operator_session(const std::string& id_hash) override;
  void delete_operator_sessions_of(Id operator_id) override;

 private:
  Session& c_;
};

class SqlAudit final : public AuditWriter {
 public:
  explicit SqlAudit(Session& c) : c_(c) {}
  std::vector<AuditRecord> audit_entries(const AuditFilter& f) override;
  void scan_audit(const std::function<bool(const AuditRecord&)>& visit) override;
  void append_audit(const AuditEntry& e, Millis now) override;

 private:
  Session& c_;
};

class SqlSettings final : public SettingsWriter {
 public:
  explicit SqlSettings(Session& c) : c_(c) {}
  std::optional<std::string> setting(const std::string& key) override;
  void put_setting(const std::string& key, const std::string& value) override;

 private:
  Session& c_;
};

class SqlCrls final : public CrlsWriter {
 public:
  explicit SqlCrls(Session& c) : c_(c) {}
  std::optional<CrlRecord> latest_crl(const std::string& issuer_key_id, bool delta,
                                      bool with_der) override;
  std::optional<CrlRecord> oldest_valid_full_crl(const std::string& issuer_key_id,
                                                 Millis now) override;
  bool crl_in_flight(const std::string& issuer_key_id, Millis reserved_after) override;
  std::int64_t revoked_count(const std::string& issuer_key_id, Millis revoked_until) override;
  bool issued_valid_at(const std::string& issuer_key_id, Millis at) override;
  void scan_revoked(const RevokedScan& scan,
                    const std::function<void(const RevokedEntry&)>& visit) override;
  std::int64_t reserve_crl(const CrlRecord& r) override;
  bool record_crl(const std::string& issuer_key_id, std::int64_t crl_number, const std::string& der,
                  std::int64_t revoked_seen) override;

 private:
  Session& c_;
};

class SqlOcsp final : public OcspWriter {
 public:
  explicit SqlOcsp(Session& c) : c_(c) {}
  std::optional<OcspResponderRecord> current_ocsp_responder(const std::string& issuer_key_id,
                                                            Millis now) override;
  std::optional<OcspCertificateStatus> ocsp_status(const std::string& issuer_key_id,
                                                   const std::string& serial_hex,
                                                   OcspHashAlgorithm hash) override;
  std::vector<OcspDue> ocsp_responses_missing(Millis now, Id after_id, int limit) override;
  std::vector<OcspDue> ocsp_responses_stale(Millis now, Millis refresh_before, int limit) override;
  std::int64_t ocsp_epoch() override;
  std::optional<Id> try_insert_ocsp_responder(const OcspResponderRecord& r,
                                              Millis needed_until) override;
  bool try_store_ocsp_response(const OcspStoredResponse& r) override;

 private:
  Session& c_;
};

class SqlJobs final : public JobsWriter {
 public:
  explicit SqlJobs(Session& c) : c_(c) {}
  std::optional<JobLease> job_lease(const std::string& name) override;
  bool try_claim_job(const std::string& name, const std::string& holder, Millis now,
                     Millis lease_until) override;
  bool release_job(const std::string& name, const std::string& holder) override;

 private:
  Session& c_;
};

class SqlBilling final : public BillingWriter {
 public:
  explicit SqlBilling(Session& c) : c_(c) {}
  std::optional<ChargeRecord> charge_of_certificate(Id certificate_id) override;
  std::vector<ChargeRecord> charges_of(Id institution_id) override;
  std::vector<ChargeRecord> unbilled_charges_through(const std::string& month) override;
  std::vector<ChargeRecord> charges_of_close(Id close_id) override;
  std::optional<BillingCloseRecord> find_close(const std::string& month) override;
  std::vector<BillingCloseRecord> list_closes() override;
  std::vector<InvoiceRecord> invoices_of_close(Id close_id) override;
  std::vector<InvoiceRecord> invoices_of(Id institution_id) override;
  std::optional<InvoiceRecord> find_invoice(const std::string& number) override;
  std::vector<InvoicePaymentRecord> payments_of(Id invoice_id) override;
  bool try_insert_charge(const ChargeRecord& c) override;
  std::optional<Id> try_insert_close(const BillingCloseRecord& c) override;
  int bill_charges(Id close_id, const std::vector<Id>& charge_ids) override;
  Id insert_invoice(const InvoiceRecord& i) override;
  Id insert_payment(const InvoicePaymentRecord& p) override;

 private:
  Session& c_;
};

class SqlReminders final : public RemindersWriter {
 public:
  explicit SqlReminders(Session& c) : c_(c) {}
  std::vector<ExpiringCertificate> expiring_certificates(Millis not_after_from,
                                                         Millis not_after_before) override;
  std::vector<ExpiryCount> count_expiring(Millis not_after_from, Millis not_after_before) override;
  std::vector<std::string> account_addresses(Id institution_id) override;
  std::vector<int> reminders_sent(Id certificate_id) override;
  bool try_record_reminder(Id certificate_id, int threshold_days, Millis now) override;

 private:
  Session& c_;
};

}  // namespace onshi::store::sql
