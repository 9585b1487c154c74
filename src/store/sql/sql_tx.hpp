#pragma once
// One transaction's repositories, on the session of the connection that runs it (either engine).
// Internal to store/.
#include "store/database.hpp"
#include "store/sql/repositories.hpp"
#include "store/sql/session.hpp"

namespace onshi::store::sql {

// Row mapping shared by the portal's and the back office's queries of certificate_applications.
std::string select_certificate_applications(std::string_view where);  // "SELECT ... WHERE <where>"
CertificateApplicationRecord read_certificate_application(const Statement& s);

class SqlTx final : public WriteTx {
 public:
  explicit SqlTx(Session& c)
      : session_(c),
        accounts_(c),
        sessions_(c),
        tokens_(c),
        outbox_(c),
        usage_applications_(c),
        certificate_applications_(c),
        certificates_(c),
        issuance_(c),
        letters_(c),
        operators_(c),
        audit_(c),
        settings_(c),
        crls_(c),
        ocsp_(c),
        jobs_(c),
        billing_(c),
        reminders_(c) {}

  bool commit_waits_for_disk() override {
    if (session_.engine() == Engine::sqlite) {
      // 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
      auto s = session_.prepare("PRAGMA synchronous");
      return s.step() && s.int64(0) >= 2;
    }
    // on, remote_apply, remote_write and local all flush this server's WAL before COMMIT
    // returns.
    auto s = session_.prepare("SELECT current_setting('synchronous_commit')");
    return s.step() && s.text(0) != "off";
  }

  SqlAccounts& accounts() override { return accounts_; }
  SqlSessions& sessions() override { return sessions_; }
  SqlTokens& tokens() override { return tokens_; }
  SqlOutbox& outbox() override { return outbox_; }
  SqlUsageApplications& usage_applications() override { return usage_applications_; }
  SqlCertificateApplications& certificate_applications() override {
    return certificate_applications_;
  }
  SqlCertificates& certificates() override { return certificates_; }
  SqlIssuance& issuance() override { return issuance_; }
  SqlNoticeLetters& letters() override { return letters_; }
  SqlOperators& operators() override { return operators_; }
  SqlAudit& audit() override { return audit_; }
  SqlSettings& settings() override { return settings_; }
  SqlCrls& crls() override { return crls_; }
  SqlOcsp& ocsp() override { return ocsp_; }
  SqlJobs& jobs() override { return jobs_; }
  SqlBilling& billing() override { return billing_; }
  SqlReminders& reminders() override { return reminders_; }

 private:
  Session& session_;
  SqlAccounts accounts_;
  SqlSessions sessions_;
  SqlTokens tokens_;
  SqlOutbox outbox_;
  SqlUsageApplications usage_applications_;
  SqlCertificateApplications certificate_applications_;
  SqlCertificates certificates_;
  SqlIssuance issuance_;
  SqlNoticeLetters letters_;
  SqlOperators operators_;
  SqlAudit audit_;
  SqlSettings settings_;
  SqlCrls crls_;
  SqlOcsp ocsp_;
  SqlJobs jobs_;
  SqlBilling billing_;
  SqlReminders reminders_;
};

}  // namespace onshi::store::sql
