// What the PostgreSQL migrations do beyond their tables: the triggers SQLite's migrations have
// (0001's append-only audit log, 0015's revocation that forgets OCSP responses), 0008's one
// successor per audit entry, and the rows the early migrations rewrite, compared with SQLite's.
#include <filesystem>

#include "postgres/migrations_env.hpp"
#include "store/raw_access.hpp"

namespace onshi::store::postgres {
namespace {

using testing::FreshDatabaseTest;

class MigrationsBehaviourTest : public FreshDatabaseTest {
 protected:
  void SetUp() override {
    FreshDatabaseTest::SetUp();
    if (HasFatalFailure()) return;
    c_ = std::make_unique<Connection>(db_url());
  }
  Connection& c() { return *c_; }
  std::string one(const std::string& sql) { return c().execute(sql).text(0, 0); }

  // An institution with one certificate application, approved by `approved_by` (SQL).
  void an_application(const std::string& approved_by = "NULL") {
    c().execute_script(R"(
      INSERT INTO institutions (code, name, created_at) VALUES ('0123456789', 'clinic', 0);
      INSERT INTO accounts (institution_id, email, email_key, password_hash, created_at)
        VALUES (1, 'a@example.jp', 'a@example.jp', 'h', 0);
      INSERT INTO usage_applications (institution_id, account_id, number, version, line_type,
        customer_id, start_date, terminals, vendor_name, vendor_contact, vendor_phone,
        idempotency_key, finalized_at)
        VALUES (1, 1, 'U-1', 1, 'l', 'c', '2025-04-01', 3, 'v', 'c', 'p', 'k', 0);
      INSERT INTO certificate_applications (institution_id, account_id, usage_application_id,
        number, classification, prefecture, municipality_code, institution_code,
        institution_name, department, contact_name, phone, email, signature_name, certificates,
        fee_per_certificate, tax_rate_percent, subtotal_yen, tax_yen, total_yen, applied_on,
        expected_notice_on, status, idempotency_key, applied_at, updated_at, approved_by)
        VALUES (1, 1, 1, 'C-1', 'c', 13, 'm', 'i', 'n', 'd', 'c', 'p', 'e', 's', 3, 1, 10, 3, 0,
                3, '2025-04-01', '2025-04-08', 'issued', 'k', 0, 0, )" +
                       approved_by + ")");
  }

  // Certificates 1, 2 and 3 of that application, each with an OCSP response per hash but the
  // third, which has none.
  void certificates_with_responses() {
    an_application();
    c().execute_script(R"(
      INSERT INTO certificates (institution_id, application_id, issuance_number, terminal,
        serial_hex, subject, not_before, not_after, der, spki_sha256, key_source, status,
        pickup_code_hash, pickup_expires_at, issued_at)
        SELECT 1, 1, 'C-1-0' || n, 'T0' || n, 'serial' || n, 'CN=t', 0, 1, '\x30'::bytea,
               'spki' || n, 'csr', 'issued', 'h', 1, 0 FROM generate_series(1, 3) n;
      INSERT INTO ocsp_responders (issuer_key_id, serial_hex, der, sealed_key, not_before,
        not_after, created_at) VALUES ('ca', 'r1', '\x30'::bytea, 'sealed', 0, 1, 0);
      INSERT INTO ocsp_responses (certificate_id, hash_algorithm, status, response, this_update,
        next_update, refresh_at, responder_id)
        SELECT id, h, 'good', '\x30'::bytea, 0, 1, 1, 1 FROM certificates,
               unnest(ARRAY['sha1', 'sha256']) h WHERE id < 3;
    )");
  }
  std::string responses() {
    return one(
        "SELECT coalesce(string_agg(certificate_id || ':' || hash_algorithm, ',' ORDER BY "
        "certificate_id, hash_algorithm), '') FROM ocsp_responses");
  }

  void append(const std::string& prev_hash) {
    c().execute(
        "INSERT INTO audit_log (at, actor, action, subject, detail, prev_hash, hash) VALUES (1, "
        "'op', 'a', 's', 'd', $1, $1 || '+')",
        {std::string_view(prev_hash)});
  }

  // Runs `sql`, which a trigger of audit_log must refuse as SQLite's RAISE(ABORT) does.
  void expect_append_only(const std::string& sql) {
    try {
      c().execute(sql);
      ADD_FAILURE() << "accepted: " << sql;
    } catch (const PostgresError& e) {
      EXPECT_EQ(e.sqlstate, "23000") << sql;
      EXPECT_NE(std::string(e.what()).find("audit_log is append-only"), std::string::npos)
          << e.what();
    }
  }

 private:
  std::unique_ptr<Connection> c_;
};

TEST_F(MigrationsBehaviourTest, TheAuditLogRefusesUpdateDeleteAndTruncate) {
  ASSERT_EQ(apply(c()), "");
  append("genesis");
  append("genesis+");
  expect_append_only("UPDATE audit_log SET detail = 'forged' WHERE seq = 1");
  expect_append_only("DELETE FROM audit_log WHERE seq = 2");
  expect_append_only("TRUNCATE audit_log");
  // Row triggers, as SQLite's are: a statement that touches no row is no change.
  c().execute("UPDATE audit_log SET detail = 'forged' WHERE seq = 99");
  c().execute("DELETE FROM audit_log WHERE seq = 99");
  EXPECT_EQ(one("SELECT string_agg(seq || ' ' || detail, ',' ORDER BY seq) FROM audit_log"),
            "1 d,2 d");
}

TEST_F(MigrationsBehaviourTest, TwoAppendsAfterTheSameHeadCannotBothCommit) {
  ASSERT_EQ(apply(c()), "");
  Connection other(db_url());
  c().execute("BEGIN ISOLATION LEVEL SERIALIZABLE");
  other.execute("BEGIN ISOLATION LEVEL SERIALIZABLE");
  // Both read the empty log, as append_audit reads the head, before either appends.
  EXPECT_EQ(one("SELECT count(*) FROM audit_log"), "0");
  EXPECT_EQ(other.execute("SELECT count(*) FROM audit_log").text(0, 0), "0");
  append("genesis");
  c().execute("COMMIT");
  // The same head: 0008's index refuses the second, as a conflict to run again.
  bool refused = false;
  try {
    other.execute(
        "INSERT INTO audit_log (at, actor, action, subject, detail, prev_hash, hash) VALUES (1, "
        "'op', 'a', 's', 'd', 'genesis', 'x')");
  } catch (const store::UniqueViolation&) {
    refused = true;
  } catch (const TransientConflict&) {
    refused = true;
  }
  EXPECT_TRUE(refused);
  other.execute("ROLLBACK");
  EXPECT_EQ(one("SELECT string_agg(seq || ' ' || hash, ',') FROM audit_log"), "1 genesis+");
}

TEST_F(MigrationsBehaviourTest, ARevocationForgetsTheCertificatesOcspResponsesAndMovesTheEpoch) {
  ASSERT_EQ(apply(c()), "");
  certificates_with_responses();
  EXPECT_EQ(responses(), "1:sha1,1:sha256,2:sha1,2:sha256");
  EXPECT_EQ(one("SELECT value FROM ocsp_epoch"), "0");

  c().execute("UPDATE certificates SET revoked_at = 5, status = 'revoked' WHERE id = 1");
  EXPECT_EQ(responses(), "2:sha1,2:sha256");
  EXPECT_EQ(one("SELECT value FROM ocsp_epoch"), "1");

  // Not a revocation: already revoked, revoked_at not set, or set to NULL again.
  c().execute("UPDATE certificates SET revoked_at = 6 WHERE id = 1");
  c().execute("UPDATE certificates SET status = 'picked_up' WHERE id = 2");
  c().execute("UPDATE certificates SET revoked_at = NULL WHERE id = 2");
  EXPECT_EQ(responses(), "2:sha1,2:sha256");
  EXPECT_EQ(one("SELECT value FROM ocsp_epoch"), "1");

  // Once per certificate revoked, as SQLite's row trigger counts.
  c().execute("UPDATE certificates SET revoked_at = 7 WHERE id IN (2, 3)");
  EXPECT_EQ(responses(), "");
  EXPECT_EQ(one("SELECT value FROM ocsp_epoch"), "3");
}

TEST_F(MigrationsBehaviourTest, ARevocationRolledBackKeepsTheResponsesAndTheEpoch) {
  ASSERT_EQ(apply(c()), "");
  certificates_with_responses();
  c().execute("BEGIN");
  c().execute("UPDATE certificates SET revoked_at = 5 WHERE id = 1");
  EXPECT_EQ(responses(), "2:sha1,2:sha256") << "in the revoking transaction itself";
  c().execute("ROLLBACK");
  EXPECT_EQ(responses(), "1:sha1,1:sha256,2:sha1,2:sha256");
  EXPECT_EQ(one("SELECT value FROM ocsp_epoch"), "0");
}

TEST_F(MigrationsBehaviourTest, TheTriggersFindTheirTablesUnderAnotherSearchPath) {
  ASSERT_EQ(apply(c()), "");
  certificates_with_responses();
  c().execute("SET search_path TO pg_catalog");
  c().execute("UPDATE public.certificates SET revoked_at = 5 WHERE id = 1");
  c().execute(
      "INSERT INTO public.audit_log (at, actor, action, subject, detail, prev_hash, hash) VALUES "
      "(1, 'op', 'a', 's', 'd', 'genesis', 'h')");
  EXPECT_EQ(one("SELECT value FROM public.ocsp_epoch"), "1");
  EXPECT_EQ(one("SELECT count(*) FROM public.ocsp_responses"), "2");
  EXPECT_EQ(one("SELECT max(seq) FROM public.audit_log"), "1");
}

// 0005 and 0007 rewrite rows: the same rows through SQLite's migrations and these must end the
// same. SQLite's are run one by one here, 0006 left out: it needs its runner to turn foreign
// keys off, and neither of the two depends on it.
TEST_F(MigrationsBehaviourTest, TheRowsRewrittenByEarlyMigrationsEndAsInSqlite) {
  const std::string rows = R"(
    INSERT INTO outbox (recipient, subject, body, message_id, next_attempt_at, sent_at,
      created_at) VALUES
      ('a', 's', 'https://h/verify?token=1', 'm1', 0, 5, 0),
      ('a', 's', 'https://h/VERIFY?TOKEN=2', 'm2', 0, 5, 0),
      ('a', 's', 'https://h/password/reset?token=3', 'm3', 0, NULL, 0),
      ('a', 's', 'https://h/password/reset?token=4', 'm4', 0, 5, 0),
      ('a', 's', 'plain', 'm5', 0, 5, 0);
    INSERT INTO login_throttle (email_key, failures, locked_until) VALUES
      ('a@example.jp', 1, 0), ('operator:rev', 1, 0), ('OPERATOR:x', 1, 0), ('Operator', 1, 0);
  )";
  const std::string after =
      "SELECT message_id || ' ' || redact_when_sent || ' ' || body FROM outbox UNION ALL "
      "SELECT subject FROM login_throttle ORDER BY 1";

  const auto sqlite_path =
      std::filesystem::temp_directory_path() / ("onshi-migr-" + util::random_token(6) + ".db");
  const std::string sqlite_url = "sqlite:" + sqlite_path.string();
  std::vector<std::string> sqlite;
  const auto run = [&](const std::string& sql) {
    const auto r = raw_sql(sqlite_url, sql);
    EXPECT_TRUE(r.ok) << r.error;
    return r;
  };
  for (const auto& m : sqlite_migrations()) {
    if (m.version == 5) run(rows);
    if (m.version <= 7 && m.version != 6) run(std::string(m.sql));
  }
  for (const auto& row : run(after).rows) sqlite.push_back(row.at(0));
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"})
    std::filesystem::remove(sqlite_path.string() + suffix, ec);

  ASSERT_EQ(apply(c(), 1, 4), "");
  c().execute_script(rows);
  ASSERT_EQ(apply(c(), 5), "");
  std::vector<std::string> postgres;
  const auto r = c().execute(after);
  for (int i = 0; i < r.rows(); ++i) postgres.push_back(r.text(i, 0));

  EXPECT_EQ(postgres, sqlite);
  EXPECT_EQ(sqlite.size(), 9U);
}

TEST_F(MigrationsBehaviourTest, AnApprovalByNoOperatorStops0006AsInSqlite) {
  ASSERT_EQ(apply(c(), 1, 5), "");
  an_application("99");
  const std::string error = apply(c(), 6);
  EXPECT_NE(error.find("0006_idempotency_per_institution"), std::string::npos) << error;
  EXPECT_NE(error.find("foreign key"), std::string::npos) << error;
  EXPECT_EQ(one("SELECT count(*) FROM pg_constraint WHERE conname = "
                "'certificate_applications_approved_by_fkey'"),
            "0")
      << "the migration's transaction is rolled back whole";
  c().execute("UPDATE certificate_applications SET approved_by = NULL");
  EXPECT_EQ(apply(c(), 6), "");
}

}  // namespace
}  // namespace onshi::store::postgres
