// `onshi db copy` refuses what it cannot copy faithfully, before changing anything: a target that
// holds rows or tables of its own, a source of another schema version, a source whose check fails;
// and a copy that fails halfway or does not verify leaves the target without rows.
#include "postgres/copy_seed.hpp"

namespace onshi::store::copy::testing {
namespace {

class DbCopyRefusal : public DbCopy {
 protected:
  // Every table of the target holds only what its migrations wrote.
  void expect_no_rows_copied() {
    postgres::Connection c(target());
    const auto seeded = seeded_rows();
    const auto r = c.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> "
        "'schema_migrations'");
    ASSERT_GT(r.rows(), 20);
    for (int row = 0; row < r.rows(); ++row) {
      const std::string table = r.text(row, 0);
      const auto it = seeded.find(table);
      EXPECT_EQ(target_count(table), it == seeded.end() ? 0 : it->second) << table;
    }
    EXPECT_EQ(c.execute("SELECT value FROM ocsp_epoch").int64(0, 0), 0) << "the migration's row";
  }
};

TEST_P(DbCopyRefusal, ATargetHoldingRowsIsRefusedAndLeftAsItWas) {
  populate();
  const auto pg = open_database(target(), 1);
  pg->migrate();
  pg->write(
      [](WriteTx& tx) { return tx.accounts().insert_institution("9999999999", "先客", 1000); });
  const auto r = copy();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, CopyRefusal::target_not_empty);
  EXPECT_NE(r.error().message.find("institutions"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("nothing was changed"), std::string::npos);
  EXPECT_EQ(target_count("institutions"), 1);
  EXPECT_EQ(target_count("accounts"), 0);
  EXPECT_EQ(target_count("audit_log"), 0);
}

TEST_P(DbCopyRefusal, ASecondCopyIntoTheSameTargetIsRefused) {
  populate();
  ASSERT_TRUE(copy());
  const auto again = copy();
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().reason, CopyRefusal::target_not_empty);
  EXPECT_EQ(target_count("audit_log"), 5);
  expect_same_rows(target());
}

TEST_P(DbCopyRefusal, ATargetWithTablesOfItsOwnIsNotMigrated) {
  populate();
  postgres::Connection(target()).execute("CREATE TABLE someone_elses (x integer)");
  const auto r = copy();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, CopyRefusal::target_version);
  EXPECT_NE(r.error().message.find("someone_elses"), std::string::npos) << r.error().message;
  EXPECT_EQ(target_version(), 0);
  EXPECT_EQ(postgres::Connection(target())
                .execute("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")
                .int64(0, 0),
            1);
}

TEST_P(DbCopyRefusal, ASourceOfAnotherSchemaVersionIsRefusedBeforeTheTargetIsTouched) {
  populate();
  const std::string last = std::to_string(current_schema_version());
  ASSERT_TRUE(raw_sql(source(), "DELETE FROM schema_migrations WHERE version = " + last).ok);
  auto r = copy();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, CopyRefusal::source_version);
  EXPECT_NE(r.error().message.find("run `onshi db migrate --database-url sqlite:"),
            std::string::npos)
      << r.error().message;
  EXPECT_EQ(target_version(), 0) << "not migrated";

  ASSERT_TRUE(
      raw_sql(source(), "INSERT INTO schema_migrations (version, name, applied_at) VALUES (" +
                            last + ", 'x', 0), (9999, 'future', 0)")
          .ok);
  r = copy();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, CopyRefusal::source_version);
  EXPECT_NE(r.error().message.find("newer"), std::string::npos) << r.error().message;
  EXPECT_EQ(target_version(), 0);
}

TEST_P(DbCopyRefusal, ASourceFailingTheCheckIsRefusedBeforeTheTargetIsTouched) {
  populate();
  CopyOptions o;
  o.check = [](ReadTx&) { return std::optional<std::string>("audit log BROKEN at entry 3"); };
  const auto r = copy(o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, CopyRefusal::source_check);
  EXPECT_NE(r.error().message.find("audit log BROKEN at entry 3; nothing was copied"),
            std::string::npos)
      << r.error().message;
  EXPECT_EQ(target_version(), 0);
}

TEST_P(DbCopyRefusal, ACopyFailingItsCheckIsRolledBack) {
  populate();
  int calls = 0;
  CopyOptions o;
  o.check = [&calls](ReadTx& tx) -> std::optional<std::string> {
    // The target's check sees the copied rows inside the copy's transaction.
    if (++calls == 2 && !tx.audit().audit_entries({}).empty()) return "entry 2 was changed";
    return std::nullopt;
  };
  const auto r = copy(o);
  ASSERT_FALSE(r);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(r.error().reason, CopyRefusal::verification);
  EXPECT_NE(r.error().message.find("rolled back"), std::string::npos) << r.error().message;
  EXPECT_EQ(target_version(), current_schema_version()) << "migrated, and empty";
  expect_no_rows_copied();
  // Nothing is left in the way of the next attempt.
  ASSERT_TRUE(copy());
  expect_same_rows(target());
}

TEST_P(DbCopyRefusal, AValueThatPostgresqlRefusesLeavesTheTargetEmpty) {
  populate();
  // SQLite keeps text in an INTEGER column; PostgreSQL's bigint does not. The outbox is copied
  // after the tables it does not refer to, so that rows are in before the failure.
  ASSERT_TRUE(raw_sql(source(), "UPDATE outbox SET attempts = 'many' WHERE id = 3").ok);
  CopyOptions o;
  o.batch_rows = 1;
  try {
    copy(o);
    ADD_FAILURE() << "copied";
  } catch (const std::exception& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("many"), std::string::npos) << what;
    EXPECT_NE(what.find("INSERT INTO outbox"), std::string::npos) << what;
    EXPECT_NE(what.find("outbox.attempts of the row whose id is 3"), std::string::npos) << what;
    EXPECT_LT(what.size(), 1000u) << "not the statement's thousands of placeholders: " << what;
  }
  expect_no_rows_copied();
  ASSERT_TRUE(raw_sql(source(), "UPDATE outbox SET attempts = 0 WHERE id = 3").ok);

  // libpq would send text only up to a NUL, which PostgreSQL's text cannot hold anyway.
  ASSERT_TRUE(
      raw_sql(source(), "UPDATE outbox SET body = 'before' || char(0) || 'after' WHERE id = 2").ok);
  try {
    copy();
    ADD_FAILURE() << "copied";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("outbox.body holds text with a NUL byte"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("the row whose id is 2"), std::string::npos) << e.what();
  }
  expect_no_rows_copied();
  ASSERT_TRUE(raw_sql(source(), "UPDATE outbox SET body = 'before' WHERE id = 2").ok);

  // Nor text that is not UTF-8, which SQLite stores as it is given.
  ASSERT_TRUE(raw_sql(source(), "UPDATE settings SET value = CAST(x'41ff42' AS TEXT)").ok);
  try {
    copy();
    ADD_FAILURE() << "copied";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("settings.value of the row whose key is csrf_key"),
              std::string::npos)
        << e.what();
  }
  expect_no_rows_copied();
  ASSERT_TRUE(raw_sql(source(), "UPDATE settings SET value = 'AB'").ok);
  const auto r = copy();
  ASSERT_TRUE(r) << r.error().message;
  expect_same_rows(target());
}

TEST_P(DbCopyRefusal, OnlySqliteIntoPostgresqlFromAnExistingFile) {
  auto r = copy_database(target(), source());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, CopyRefusal::unsupported);
  r = copy_database(source(), "sqlite:/tmp/onshi-copy-elsewhere.db");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, CopyRefusal::unsupported);
  r = copy_database("sqlite:/nonexistent/onshi.db", target());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, CopyRefusal::source_missing);
  EXPECT_EQ(target_version(), 0);
}

INSTANTIATE_TEST_SUITE_P(SQLite, DbCopyRefusal, ::testing::ValuesIn(contract::backends()),
                         contract::backend_name);

}  // namespace
}  // namespace onshi::store::copy::testing
