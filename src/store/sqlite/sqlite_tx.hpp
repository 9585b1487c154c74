#pragma once
// The SQLite transaction: the repositories of one connection inside BEGIN … COMMIT. Internal to
// store/sqlite/.
#include "store/database.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/repositories.hpp"

namespace onshi::store::sqlite {

// Row mapping shared by the portal's and the back office's queries of certificate_applications.
std::string select_certificate_applications(std::string_view where);  // "SELECT ... WHERE <where>"
CertificateApplicationRecord read_certificate_application(const Statement& s);

class SqliteTx final : public WriteTx {
 public:
  explicit SqliteTx(Connection& c)
      : accounts_(c),
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
        crls_(c) {}

  SqliteAccounts& accounts() override { return accounts_; }
  SqliteSessions& sessions() override { return sessions_; }
  SqliteTokens& tokens() override { return tokens_; }
  SqliteOutbox& outbox() override { return outbox_; }
  SqliteUsageApplications& usage_applications() override { return usage_applications_; }
  SqliteCertificateApplications& certificate_applications() override {
    return certificate_applications_;
  }
  SqliteCertificates& certificates() override { return certificates_; }
  SqliteIssuance& issuance() override { return issuance_; }
  SqliteNoticeLetters& letters() override { return letters_; }
  SqliteOperators& operators() override { return operators_; }
  SqliteAudit& audit() override { return audit_; }
  SqliteSettings& settings() override { return settings_; }
  SqliteCrls& crls() override { return crls_; }

 private:
  SqliteAccounts accounts_;
  SqliteSessions sessions_;
  SqliteTokens tokens_;
  SqliteOutbox outbox_;
  SqliteUsageApplications usage_applications_;
  SqliteCertificateApplications certificate_applications_;
  SqliteCertificates certificates_;
  SqliteIssuance issuance_;
  SqliteNoticeLetters letters_;
  SqliteOperators operators_;
  SqliteAudit audit_;
  SqliteSettings settings_;
  SqliteCrls crls_;
};

}  // namespace onshi::store::sqlite
