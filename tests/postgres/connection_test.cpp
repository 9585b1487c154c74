// store/postgres/connection.hpp against the real server of scripts/pg-cluster.
#include <latch>
#include <thread>

#include "postgres/postgres_env.hpp"

namespace onshi::store::postgres {
namespace {

using testing::PostgresTest;
using ConnectionTest = PostgresTest;

std::string every_byte() {
  std::string bytes;
  for (int b = 0; b < 256; ++b) bytes.push_back(static_cast<char>(b));
  return bytes;
}

TEST_F(ConnectionTest, TextInt64NullAndEveryByteRoundTrip) {
  Connection c(url());
  c.execute("CREATE TABLE " + table() + " (t text, n bigint, missing text, b bytea)");
  const std::string text = "山田 'quoted' $1 \\ ;--";
  const std::string bytes = every_byte();
  const auto inserted = c.execute(
      "INSERT INTO " + table() + " VALUES ($1, $2, $3, $4)",
      {std::string_view(text), std::int64_t{-9223372036854775807LL - 1}, Null{}, Bytes{bytes}});
  EXPECT_EQ(inserted.affected(), 1);

  const auto r = c.execute("SELECT t, n, missing, b, octet_length(b) FROM " + table());
  ASSERT_EQ(r.rows(), 1);
  ASSERT_EQ(r.columns(), 5);
  EXPECT_EQ(r.text(0, 0), text);
  EXPECT_EQ(r.int64(0, 1), -9223372036854775807LL - 1);
  EXPECT_TRUE(r.is_null(0, 2));
  EXPECT_FALSE(r.is_null(0, 3));
  EXPECT_EQ(r.bytes(0, 3), bytes);
  EXPECT_EQ(r.int64(0, 4), 256);  // the server holds the bytes themselves, not their escapes
}

TEST_F(ConnectionTest, BytesWithANulMatchOnTheServer) {
  Connection c(url());
  const std::string der("\x30\x00\x82\xff", 4);
  const auto r = c.execute("SELECT $1::bytea = '\\x300082ff'::bytea, $2::bigint + 1",
                           {Bytes{der}, std::int64_t{41}});
  EXPECT_EQ(r.text(0, 0), "t");
  EXPECT_EQ(r.int64(0, 1), 42);
}

TEST_F(ConnectionTest, APreparedStatementIsPreparedOnceAndReused) {
  Connection c(url());
  const std::string sql = "SELECT $1::bigint * 2, $2::text";
  for (std::int64_t i = 0; i < 3; ++i) {
    const auto r = c.prepared(sql, {i, std::string_view("x")});
    EXPECT_EQ(r.int64(0, 0), i * 2);
    EXPECT_EQ(r.text(0, 1), "x");
  }
  EXPECT_EQ(c.prepared_count(), 1U);
  const auto on_server = c.execute("SELECT count(*) FROM pg_prepared_statements");
  EXPECT_EQ(on_server.int64(0, 0), 1);
  c.prepared("SELECT 1");
  EXPECT_EQ(c.prepared_count(), 2U);
}

TEST_F(ConnectionTest, AUniqueViolationIsClassified) {
  Connection c(url());
  c.execute("CREATE TABLE " + table() + " (email text PRIMARY KEY)");
  c.execute("INSERT INTO " + table() + " VALUES ($1)", {std::string_view("a@example.jp")});
  try {
    c.execute("INSERT INTO " + table() + " VALUES ($1)", {std::string_view("a@example.jp")});
    FAIL() << "a second row with the same key was accepted";
  } catch (const UniqueViolation& e) {
    EXPECT_EQ(e.sqlstate, "23505");
  }
  // The use cases catch the engine-neutral type.
  EXPECT_THROW(
      c.execute("INSERT INTO " + table() + " VALUES ($1)", {std::string_view("a@example.jp")}),
      store::UniqueViolation);
}

TEST_F(ConnectionTest, ConflictingSerializableTransactionsAreASerializationFailure) {
  Connection setup(url());
  setup.execute("CREATE TABLE " + table() + " (id bigint PRIMARY KEY, v bigint)");
  setup.execute("INSERT INTO " + table() + " VALUES (1, 0)");
  Connection a(url());
  Connection b(url());
  a.execute("BEGIN ISOLATION LEVEL SERIALIZABLE");
  EXPECT_EQ(a.execute("SELECT v FROM " + table() + " WHERE id = 1").int64(0, 0), 0);
  b.execute("BEGIN ISOLATION LEVEL SERIALIZABLE");
  b.execute("UPDATE " + table() + " SET v = v + 1 WHERE id = 1");
  b.execute("COMMIT");
  EXPECT_TRUE(a.in_transaction());
  try {
    a.execute("UPDATE " + table() + " SET v = v + 10 WHERE id = 1");
    FAIL() << "the second writer of a row read before the first committed was let through";
  } catch (const SerializationFailure& e) {
    EXPECT_EQ(e.sqlstate, "40001");
  }
  a.execute("ROLLBACK");
  EXPECT_EQ(setup.execute("SELECT v FROM " + table()).int64(0, 0), 1);
}

TEST_F(ConnectionTest, ALockCycleIsADeadlockAndMayRunAgain) {
  Connection setup(url());
  setup.execute("CREATE TABLE " + table() + " (id bigint PRIMARY KEY, v bigint)");
  setup.execute("INSERT INTO " + table() + " VALUES (1, 0), (2, 0)");
  Connection a(url());
  Connection b(url());
  for (Connection* c : {&a, &b}) {
    c->execute("BEGIN");
    c->execute("SET LOCAL deadlock_timeout = '100ms'");
  }
  const std::string update = "UPDATE " + table() + " SET v = v + 1 WHERE id = $1";
  a.execute(update, {std::int64_t{1}});
  b.execute(update, {std::int64_t{2}});
  std::string a_state, b_state;
  bool a_transient = false, b_transient = false;
  auto cross = [&](Connection& c, std::int64_t id, std::string& state, bool& transient) {
    try {
      c.execute(update, {id});
      c.execute("COMMIT");
    } catch (const Deadlock& e) {
      state = e.sqlstate;
      transient = true;
      c.execute("ROLLBACK");
    } catch (const std::exception& e) {
      state = e.what();
    }
  };
  std::thread first([&] { cross(a, 2, a_state, a_transient); });
  std::thread second([&] { cross(b, 1, b_state, b_transient); });
  first.join();
  second.join();
  // The server breaks the cycle by aborting exactly one of the two.
  EXPECT_NE(a_transient, b_transient);
  EXPECT_EQ(a_state.empty() ? b_state : a_state, "40P01");
}

TEST_F(ConnectionTest, OtherErrorsKeepTheirSqlstate) {
  Connection c(url());
  try {
    c.execute("SELECT * FROM no_such_table_anywhere");
    FAIL();
  } catch (const PostgresError& e) {
    EXPECT_EQ(e.sqlstate, "42P01");
  }
  // The failed statement left the connection usable.
  EXPECT_TRUE(c.usable());
  EXPECT_EQ(c.execute("SELECT $1::bigint", {std::int64_t{7}}).int64(0, 0), 7);
}

TEST_F(ConnectionTest, ATerminatedConnectionIsLostAndResetWorks) {
  Connection victim(url());
  Connection killer(url());
  const int pid = victim.backend_pid();
  victim.prepared("SELECT 1");
  killer.execute("SELECT pg_terminate_backend($1::int)", {std::int64_t{pid}});
  ASSERT_TRUE(wait_gone(killer, pid));
  EXPECT_THROW(victim.execute("SELECT 1"), ConnectionLost);
  EXPECT_FALSE(victim.usable());
  victim.reset();
  EXPECT_NE(victim.backend_pid(), pid);
  // The new backend has none of the old one's prepared statements: prepared again.
  EXPECT_EQ(victim.prepared("SELECT 1").int64(0, 0), 1);
}

TEST_F(ConnectionTest, NoServerIsAConnectionLost) {
  // Port 1 on loopback: nothing listens there.
  EXPECT_THROW(Connection("postgresql://onshi@127.0.0.1:1/postgres?connect_timeout=2"),
               ConnectionLost);
}

}  // namespace
}  // namespace onshi::store::postgres
