// The PostgreSQL Database (store/postgres/postgres_database.cpp) beyond the contract suite: two
// nodes migrating at once, a connection lost inside a write (the schema itself:
// migrations_schema_test.cpp).

#include <thread>

#include "postgres/postgres_env.hpp"
#include "store/migrations.hpp"
#include "store/raw_access.hpp"

namespace onshi::store::postgres {
namespace {

// A schema of its own for each test, reached by a URL whose search_path names it.
class PostgresDatabaseTest : public testing::PostgresTest {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    Connection c(url());
    c.execute("CREATE SCHEMA " + table());
    schema_url_ = url() + (url().find('?') == std::string::npos ? "?" : "&") +
                  "options=-csearch_path%3D" + table();
  }
  void TearDown() override {
    try {
      Connection c(url());
      c.execute("DROP SCHEMA IF EXISTS " + table() + " CASCADE");
    } catch (...) {
    }
    PostgresTest::TearDown();
  }
  const std::string& schema_url() const { return schema_url_; }

 private:
  std::string schema_url_;
};

TEST_F(PostgresDatabaseTest, TwoNodesMigratingAtOnceApplyEachMigrationOnce) {
  auto a = open_database(schema_url(), 1);
  auto b = open_database(schema_url(), 1);
  int applied_a = 0;
  int applied_b = 0;
  std::thread ta([&] { applied_a = a->migrate(); });
  std::thread tb([&] { applied_b = b->migrate(); });
  ta.join();
  tb.join();
  EXPECT_EQ(applied_a + applied_b, static_cast<int>(postgres_migrations().size()));
  const RawResult r = raw_sql(schema_url(), "SELECT count(*) FROM schema_migrations");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.rows.at(0).at(0), std::to_string(postgres_migrations().size()));
}

TEST_F(PostgresDatabaseTest, AWriteWhoseConnectionDiesBeforeCommitRunsAgainOnANewOne) {
  auto db = open_database(schema_url(), 1);
  db->migrate();
  Connection killer(url());
  int runs = 0;
  const Id id = db->write([&](WriteTx& tx) {
    ++runs;
    const Id made = tx.accounts().insert_institution("1310123455", "テスト医院", 1000);
    if (runs == 1) {
      // This transaction's own backend, killed before COMMIT.
      const RawResult mine =
          raw_sql(url(),
                  "SELECT pid FROM pg_stat_activity WHERE state = 'idle in transaction' AND query "
                  "LIKE 'INSERT INTO institutions%'");
      EXPECT_TRUE(mine.ok && mine.rows.size() == 1) << mine.error;
      const int pid = std::stoi(mine.rows.at(0).at(0));
      killer.execute("SELECT pg_terminate_backend($1::int)", {std::int64_t{pid}});
      EXPECT_TRUE(wait_gone(killer, pid));
    }
    return made;
  });
  EXPECT_EQ(runs, 2);
  const auto found =
      db->read([](ReadTx& tx) { return tx.accounts().find_institution_by_code("1310123455"); });
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, id);
  EXPECT_TRUE(db->ping());
}

TEST_F(PostgresDatabaseTest, AServerThatIsNotThereIsUnavailableAndPingSaysSo) {
  EXPECT_THROW(open_database("postgresql://onshi@127.0.0.1:1/onshi", 1), DatabaseUnavailable);
}

}  // namespace
}  // namespace onshi::store::postgres
