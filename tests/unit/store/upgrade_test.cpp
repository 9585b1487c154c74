// Upgrading a database that holds data: schema 4 is built with raw SQL (store/raw_access.hpp)
// from the embedded migrations, filled with rows of every table the later migrations rebuild or
// change, and then migrated by the store. Nothing may be lost, every reference must still hold,
// and the new rules (keys per institution, no secrets in sent mail) must apply to the old rows too.
#include <gtest/gtest.h>

#include <algorithm>

#include "store/migrations.hpp"
#include "store_test_env.hpp"

namespace onshi::store {
namespace {

constexpr std::string_view kVersion4Rows = R"sql(
PRAGMA foreign_keys = ON;
INSERT INTO institutions VALUES (1, '1310123455', 'テスト医院', 0), (2, '1310123463', 'ほかの医院', 0);
INSERT INTO accounts (id, institution_id, email, email_key, password_hash, created_at)
  VALUES (1, 1, 'a@x.jp', 'a@x.jp', 'h', 0), (2, 2, 'b@x.jp', 'b@x.jp', 'h', 0);
INSERT INTO usage_applications VALUES
  (1, 1, 1, 'U-00000001', 1, NULL, 'flets_next_east', 'CAF1234567890', '2026-12-20', 2, 'ベンダ', '担当', '0312345678', 'key-a', 10),
  (2, 1, 1, 'U-00000002', 2, 1, 'flets_next_east', 'CAF1234567890', '2026-12-20', 3, 'ベンダ', '担当', '0312345678', 'key-a2', 20),
  (3, 2, 2, 'U-00000003', 1, NULL, 'ipsec_ike', '', '2026-12-20', 1, 'ベンダ', '担当', '0312345678', 'key-b', 30);
INSERT INTO operators (id, login, display_name, role, password_hash, totp_secret, created_at)
  VALUES (1, 'rev', '審査', 'reviewer', 'h', 's', 0);
INSERT INTO certificate_applications (id, institution_id, account_id, usage_application_id, number,
  classification, prefecture, municipality_code, institution_code, institution_name, department,
  contact_name, phone, email, signature_name, certificates, fee_per_certificate, tax_rate_percent,
  subtotal_yen, tax_yen, total_yen, applied_on, expected_notice_on, status, idempotency_key,
  applied_at, updated_at, postal_code, address_line, approved_by)
  VALUES (1, 1, 1, 2, 'C-00000001', '2', 13, '131024', '1310123455', 'テスト医院', '事務', '山田',
  '0312345678', 'a@x.jp', '署名', 2, 1500, 10, 3000, 300, 3300, '2026-12-01', '2026-12-08',
  'issued', 'key-c', 40, 50, '1040061', '銀座1-2-3', 1);
INSERT INTO certificates (id, institution_id, application_id, issuance_number, terminal, serial_hex,
  subject, not_before, not_after, der, spki_sha256, key_source, status, pickup_code_hash,
  pickup_expires_at, issued_at)
  VALUES (1, 1, 1, 'C-00000001-01', 'T01', 'ab', 'CN=T01', 0, 1, x'30', 'spki', 'csr', 'issued', 'p', 1, 60);
INSERT INTO notice_letters (id, application_id, created_at) VALUES (1, 1, 70);
INSERT INTO outbox (id, recipient, subject, body, message_id, next_attempt_at, sent_at, created_at) VALUES
  (1, 'a@x.jp', '再設定', 'http://p/password/reset?token=sent-secret', '<1@x>', 0, 80, 0),
  (2, 'a@x.jp', '確認', 'http://p/verify?token=unsent-secret', '<2@x>', 0, NULL, 0),
  (3, 'a@x.jp', '受付', '受付しました', '<3@x>', 0, 90, 0);
INSERT INTO login_throttle VALUES ('a@x.jp', 3, 0), ('operator:ghost', 5, 999);
)sql";

// Every table, index and trigger as sqlite_master spells it.
std::string schema_of(const std::filesystem::path& file) {
  return test::run_sql(file,
                       "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT "
                       "LIKE 'sqlite_%' AND name != 'schema_migrations' ORDER BY type, name")
      .output;
}

TEST(Upgrade, FromSchema4KeepsEveryRowAndAppliesTheNewRules) {
  test::TempDb tmp;
  std::string schema4;
  for (const auto& m : sqlite_migrations()) {
    if (m.version > 4) break;
    schema4.append(m.sql).append("\n");
  }
  schema4 +=
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
      "applied_at INTEGER NOT NULL);\n"
      "INSERT INTO schema_migrations VALUES (1, 'a', 0), (2, 'b', 0), (3, 'c', 0), (4, 'd', 0);\n";
  schema4.append(kVersion4Rows);
  const auto built = test::run_sql(tmp.path(), schema4);
  ASSERT_TRUE(built.ok) << built.output;

  auto db = open_database("sqlite:" + tmp.path().string(), 2);
  EXPECT_EQ(db->schema_version(), 4);
  // Counted, not subtracted: numbers reserved by branches not merged yet leave gaps.
  const auto newer =
      std::ranges::count_if(sqlite_migrations(), [](const auto& m) { return m.version > 4; });
  EXPECT_EQ(db->migrate(), newer);

  const auto counts = test::run_sql(
      tmp.path(),
      "SELECT (SELECT count(*) FROM usage_applications), (SELECT count(*) FROM "
      "certificate_applications), (SELECT count(*) FROM certificates), (SELECT count(*) FROM "
      "notice_letters), (SELECT count(*) FROM outbox)");
  EXPECT_EQ(counts.output, "3|1|1|1|3\n");
  const auto throttles =
      test::run_sql(tmp.path(), "SELECT subject, failures FROM login_throttle ORDER BY subject");
  EXPECT_EQ(throttles.output, "account:a@x.jp|3\noperator:ghost|5\n");
  const auto fk = test::run_sql(tmp.path(), "PRAGMA foreign_key_check");
  EXPECT_EQ(fk.output, "") << "every reference still holds";
  const auto mail = test::run_sql(tmp.path(), "SELECT id, body FROM outbox ORDER BY id");
  EXPECT_EQ(mail.output, "1|\n2|http://p/verify?token=unsent-secret\n3|受付しました\n")
      << "a sent link is gone; an unsent one still has to be sent";

  // The upgraded schema is the one a new database gets, indexes (the partial unique one on first
  // applications among them) and triggers included.
  test::TempDb fresh;
  ASSERT_GT(fresh.db().migrate(), 0);
  const auto upgraded = schema_of(tmp.path());
  EXPECT_NE(upgraded.find("usage_applications_first"), std::string::npos);
  EXPECT_EQ(upgraded, schema_of(fresh.path()));

  db->read([&](ReadTx& tx) {
    const auto change = tx.usage_applications().find_usage_application(1, "U-00000002");
    ASSERT_TRUE(change.has_value());
    EXPECT_EQ(change->changes_id, 1);
    EXPECT_EQ(change->terminals, 3);
    EXPECT_TRUE(tx.usage_applications().find_usage_application_by_key(1, "key-a2").has_value());
    EXPECT_FALSE(tx.usage_applications().find_usage_application_by_key(2, "key-a2").has_value());
    const auto c = tx.certificate_applications().find_certificate_application_by_key(1, "key-c");
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->address_line, "銀座1-2-3");
    EXPECT_EQ(c->approved_by, 1);
    EXPECT_EQ(tx.certificates().certificates_of_application(1).size(), 1u);
  });
  // Institution 2 may now use institution 1's key; institution 1 still may not use it twice.
  UsageApplicationRecord change_of_b;
  db->read([&](ReadTx& tx) {
    change_of_b = *tx.usage_applications().find_usage_application(2, "U-00000003");
  });
  change_of_b.version = 2;
  change_of_b.changes_id = 3;
  change_of_b.idempotency_key = "key-a";
  db->write([&](WriteTx& tx) {
    EXPECT_EQ(tx.usage_applications().insert_usage_application(change_of_b).number, "U-00000004");
  });
  EXPECT_THROW(db->write([&](WriteTx& tx) {
    UsageApplicationRecord u = *tx.usage_applications().find_usage_application(1, "U-00000002");
    u.version = 3;
    u.changes_id = 2;
    tx.usage_applications().insert_usage_application(u);  // key-a2 again, at institution 1
  }),
               UniqueViolation);
  // Foreign keys are on again for the connections that serve requests.
  Account orphan;
  orphan.institution_id = 99;
  orphan.email = "c@x.jp";
  orphan.email_key = "c@x.jp";
  orphan.password_hash = "h";
  EXPECT_THROW(db->write([&](WriteTx& tx) { tx.accounts().insert_account(orphan); }),
               std::exception);
}

}  // namespace
}  // namespace onshi::store
