// store/raw_access.hpp: SQL behind the application's back, on a connection of its own.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store_test_env.hpp"

namespace onshi::store {
namespace {

using Rows = std::vector<std::vector<std::string>>;

std::string url_of(const test::TempDb& tmp) {
  return std::string("sqlite:").append(tmp.path().string());
}

TEST(RawSql, RunsSeveralStatementsWithQuotesAndSemicolonsInTheirLiterals) {
  test::TempDb tmp;
  const auto r = raw_sql(url_of(tmp),
                         "CREATE TABLE t (a TEXT, b INTEGER);\n"
                         "INSERT INTO t VALUES ('it''s; here', 1), (NULL, 2), (\"x\" || 'y', 3);\n"
                         "-- a comment; with a semicolon\n"
                         "SELECT a, b FROM t ORDER BY b; /* trailing */ \n  ");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.rows, (Rows{{"it's; here", "1"}, {"", "2"}, {"xy", "3"}})) << "NULL reads as empty";
}

TEST(RawSql, TheRowsAreThoseOfTheLastStatementWithColumns) {
  test::TempDb tmp;
  auto r = raw_sql(url_of(tmp), "SELECT 1; SELECT 2, 'b'; CREATE TABLE t (a)");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.rows, (Rows{{"2", "b"}})) << "a statement without columns keeps them";
  r = raw_sql(url_of(tmp), "SELECT 1; SELECT a FROM t");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(r.rows.empty()) << "the last query had no rows";
  r = raw_sql(url_of(tmp), "  ");
  EXPECT_TRUE(r.ok);
  EXPECT_TRUE(r.rows.empty());
}

TEST(RawSql, StopsAtTheFirstErrorAndKeepsWhatRanBefore) {
  test::TempDb tmp;
  auto r = raw_sql(url_of(tmp),
                   "CREATE TABLE t (a INTEGER CHECK (a > 0)); INSERT INTO t VALUES (1); "
                   "INSERT INTO t VALUES (-1); INSERT INTO t VALUES (2); SELECT 'not reached'");
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("CHECK constraint failed"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("VALUES (-1)"), std::string::npos) << "names the statement: " << r.error;
  EXPECT_TRUE(r.rows.empty());
  r = raw_sql(url_of(tmp), "INSERT INTO missing VALUES (3); INSERT INTO t VALUES (4)");
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("no such table: missing"), std::string::npos) << r.error;
  r = raw_sql(url_of(tmp), "SELECT count(*), max(a) FROM t");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.rows, (Rows{{"1", "1"}}));
}

TEST(RawSql, ReportsBadSqlAndAnUnopenableFileWithoutThrowing) {
  test::TempDb tmp;
  RawResult r;
  EXPECT_NO_THROW(r = raw_sql(url_of(tmp), "SELEC 1"));
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("syntax error"), std::string::npos) << r.error;
  const auto missing_folder = tmp.dir() / "no" / "such" / "folder" / "x.db";
  EXPECT_NO_THROW(r = raw_sql(missing_folder.string(), "SELECT 1"));
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.error.empty());
  // A PostgreSQL server that is not there is a database that cannot be opened too.
  EXPECT_NO_THROW(r = raw_sql("postgresql://onshi@127.0.0.1:1/onshi", "SELECT 1"));
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("cannot connect"), std::string::npos) << r.error;
}

TEST(RawSql, RunsWithForeignKeysOnAsTheApplicationDoes) {
  test::TempDb tmp;
  ASSERT_GT(tmp.db().migrate(), 0);
  auto r = raw_sql(url_of(tmp), "PRAGMA foreign_keys");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.rows, (Rows{{"1"}}));
  r = raw_sql(url_of(tmp),
              "INSERT INTO accounts (institution_id, email, email_key, password_hash, created_at) "
              "VALUES (99, 'a@x.jp', 'a@x.jp', 'h', 0)");
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("FOREIGN KEY"), std::string::npos) << r.error;
}

TEST(RawSql, SeesWhatTheApplicationCommittedAndTheApplicationSeesItsChanges) {
  test::TempDb tmp;
  ASSERT_GT(tmp.db().migrate(), 0);
  tmp.db().write([](WriteTx& tx) { tx.accounts().insert_institution("1310123455", "医院", 1); });
  // A bare path works as well as a sqlite: URL.
  auto r = raw_sql(tmp.path().string(), "UPDATE institutions SET name = '改名' RETURNING code");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.rows, (Rows{{"1310123455"}}));
  EXPECT_EQ(tmp.db().read([](ReadTx& tx) {
    return tx.accounts().find_institution_by_code("1310123455")->name;
  }),
            "改名");
  EXPECT_EQ(test::as_lines({{"a", "b"}, {"", "c"}}), "a|b\n|c\n");
}

}  // namespace
}  // namespace onshi::store
