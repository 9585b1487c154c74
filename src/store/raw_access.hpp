#pragma once
// SQL run behind the application's back: for tests (to look at or damage rows the contract does
// not expose) and for repair tools, never for the use cases, which go through Database and the
// repositories. Each call opens a fresh connection of the backend's own, configured as the
// application's connections are (for SQLite: foreign keys on, WAL, the same busy timeout), runs the
// SQL in autocommit mode and closes it.
#include <string>
#include <vector>

namespace onshi::store {

struct RawResult {
  bool ok = false;
  // The engine's message for the first statement that failed (empty when ok).
  std::string error;
  // The rows of the last statement that has result columns (a query, a RETURNING clause, a PRAGMA
  // that answers), each value as text; NULL reads as the empty string.
  std::vector<std::vector<std::string>> rows;
};

// Runs one or more `;`-separated statements (string literals may hold quotes and semicolons) on
// the database at `url` (as open_database), in order, stopping at the first error. On SQLite the
// statements before it stay done; PostgreSQL runs them as one implicit transaction, so none do.
// SQL errors, and a database that cannot be opened, are reported in the result.
RawResult raw_sql(const std::string& url, const std::string& sql);

}  // namespace onshi::store
