// raw_sql (store/raw_access.hpp) on PostgreSQL: one connection, autocommit. Several statements go
// in one PQexec, which the server runs as one implicit transaction: a failure undoes those
// before it, unlike SQLite's (the tests run one statement, or statements that all succeed).
#include "store/engines.hpp"
#include "store/postgres/connection.hpp"

namespace onshi::store {

RawResult raw_postgres_sql(const std::string& url, const std::string& sql) {
  RawResult result;
  try {
    postgres::Connection c(url);
    const postgres::Result r = c.execute_script(sql);
    for (int row = 0; row < r.rows(); ++row) {
      auto& out = result.rows.emplace_back();
      for (int col = 0; col < r.columns(); ++col) out.push_back(r.text(row, col));
    }
    result.ok = true;
  } catch (const std::exception& e) {
    result.error = e.what();
  }
  return result;
}

}  // namespace onshi::store
