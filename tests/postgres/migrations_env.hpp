#pragma once
// A fresh database per test for the PostgreSQL migrations (src/store/migrations/postgres/), on
// the server of postgres_env.hpp. Its default collation is ICU ja-JP, which does not sort text
// bytewise, as a production database created with a Japanese locale would not: the schema must
// make text compare as SQLite does on its own.
#include <algorithm>
#include <cctype>
#include <string>

#include "postgres/postgres_env.hpp"
#include "store/migrations.hpp"

namespace onshi::store::postgres::testing {

// `server` with its database name replaced by `db` (postgresql://user@host:port/NAME?options).
inline std::string with_database(const std::string& server, const std::string& db) {
  const auto scheme = server.find("://");
  const auto slash = server.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  const auto query = server.find('?');
  std::string out = server.substr(0, slash == std::string::npos ? query : slash);
  out.append("/").append(db);
  if (query != std::string::npos) out.append(server.substr(query));
  return out;
}

class FreshDatabaseTest : public PostgresTest {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    if (HasFatalFailure()) return;
    // table() is already random and an identifier; unquoted names fold to lower case.
    db_ = "migr_" + table();
    std::transform(db_.begin(), db_.end(), db_.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    Connection server(url());
    server.execute("CREATE DATABASE " + db_ +
                   " TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'ja-JP' LOCALE 'C.UTF-8'");
    db_url_ = with_database(url(), db_);
  }
  void TearDown() override {
    if (!db_.empty()) {
      try {
        Connection server(url());
        server.execute("DROP DATABASE IF EXISTS " + db_ + " WITH (FORCE)");
      } catch (...) {
      }
    }
    PostgresTest::TearDown();
  }

  const std::string& db_url() const { return db_url_; }

  // Applies the migrations numbered [from, to], each in a transaction of its own as `db migrate`
  // does; stops at a failure and returns it, naming the migration ("" when all applied).
  static std::string apply(Connection& c, int from = 1, int to = 1 << 30) {
    for (const auto& m : postgres_migrations()) {
      if (m.version < from || m.version > to) continue;
      c.execute("BEGIN");
      try {
        c.execute_script(m.sql);
        c.execute("COMMIT");
      } catch (const std::exception& e) {
        if (c.in_transaction()) c.execute("ROLLBACK");
        return std::string(m.name).append(": ").append(e.what());
      }
    }
    return {};
  }

 private:
  std::string db_;
  std::string db_url_;
};

}  // namespace onshi::store::postgres::testing
