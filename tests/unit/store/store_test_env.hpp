#pragma once
// A migrated SQLite database in a temporary directory, and raw SQL to look at it (or damage it)
// from outside the repositories, through store/raw_access.hpp on a connection of its own.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "store/database.hpp"
#include "store/raw_access.hpp"
#include "util/secrets.hpp"

namespace onshi::store::test {

class TempDb {
 public:
  TempDb()
      : dir_(std::filesystem::temp_directory_path() / ("onshi-store-" + util::random_token(9))),
        path_(dir_ / "test.db"),
        db_(open_database("sqlite:" + path_.string(), 2)) {}
  ~TempDb() {
    db_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  TempDb(const TempDb&) = delete;
  TempDb& operator=(const TempDb&) = delete;

  Database& db() { return *db_; }
  const std::filesystem::path& path() const { return path_; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::filesystem::path path_;
  std::unique_ptr<Database> db_;
};

// Rows as the sqlite3 tool prints them in its default list mode: values joined by '|', each row
// ended by '\n' ("" for no rows).
inline std::string as_lines(const std::vector<std::vector<std::string>>& rows) {
  std::string out;
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i > 0) out.push_back('|');
      out.append(row[i]);
    }
    out.push_back('\n');
  }
  return out;
}

struct SqlResult {
  bool ok = false;
  std::string output;  // the last query's rows (as_lines) when ok, the error otherwise
};

// Runs one or more statements (quotes allowed) on `file`, stopping at the first error.
inline SqlResult run_sql(const std::filesystem::path& file, const std::string& sql) {
  const RawResult raw = raw_sql(std::string("sqlite:").append(file.string()), sql);
  if (!raw.ok) return {false, raw.error};
  return {true, as_lines(raw.rows)};
}

}  // namespace onshi::store::test
