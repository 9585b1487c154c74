// raw_sql for SQLite: a Connection of the backend's own (so the same pragmas as the application's
// connections, foreign keys among them), each statement prepared after the previous one's tail.
#include "store/raw_access.hpp"
#include "store/engines.hpp"

#include <fmt/format.h>

#include <climits>
#include <memory>
#include <stdexcept>
#include <string_view>

#include "store/sqlite/connection.hpp"

namespace onshi::store {
namespace {

struct FinalizeStmt {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

std::string failure(sqlite3* db, std::string_view statement) {
  constexpr std::size_t kShown = 200;
  std::string shown(statement.substr(0, kShown));
  if (statement.size() > kShown) shown.append("…");
  return fmt::format("sqlite: {} (in: {})", sqlite3_errmsg(db), shown);
}

std::string column_text(sqlite3_stmt* s, int col) {
  const auto* p = sqlite3_column_text(s, col);
  if (!p) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<std::size_t>(sqlite3_column_bytes(s, col)));
}

}  // namespace

RawResult raw_sql(const std::string& url, const std::string& sql) {
  const DatabaseUrl where = parse_database_url(url);
  if (where.engine == DatabaseUrl::Engine::postgresql) return raw_postgres_sql(where.target, sql);
  const std::string& path = where.target;
  RawResult result;
  std::unique_ptr<sqlite::Connection> connection;
  try {
    connection = std::make_unique<sqlite::Connection>(path);
  } catch (const std::exception& e) {
    result.error = e.what();
    return result;
  }
  if (sql.size() > static_cast<std::size_t>(INT_MAX)) {
    result.error = "raw_sql: the SQL is too long";
    return result;
  }
  sqlite3* db = connection->handle();
  const char* next = sql.c_str();
  const char* const end = sql.c_str() + sql.size();
  while (next < end) {
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    const int prepared = sqlite3_prepare_v2(db, next, static_cast<int>(end - next), &raw, &tail);
    std::unique_ptr<sqlite3_stmt, FinalizeStmt> statement(raw);
    const std::string_view text(next, static_cast<std::size_t>((tail ? tail : end) - next));
    if (prepared != SQLITE_OK) {
      result.error = failure(db, text);
      return result;
    }
    next = tail ? tail : end;
    if (!statement) continue;  // only white space or a comment was left
    const int columns = sqlite3_column_count(statement.get());
    std::vector<std::vector<std::string>> rows;
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(statement.get())) == SQLITE_ROW) {
      auto& row = rows.emplace_back();
      row.reserve(static_cast<std::size_t>(columns));
      for (int c = 0; c < columns; ++c) row.push_back(column_text(statement.get(), c));
    }
    if (rc != SQLITE_DONE) {
      result.error = failure(db, text);
      return result;
    }
    if (columns > 0) result.rows = std::move(rows);
  }
  result.ok = true;
  return result;
}

}  // namespace onshi::store
