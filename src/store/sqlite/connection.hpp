#pragma once
// RAII over the SQLite C API. Internal to store/: only store/*.cpp include this header.
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/records.hpp"

namespace onshi::store::sqlite {

struct SqliteError : std::runtime_error {
  int code;
  SqliteError(int c, const std::string& what) : std::runtime_error(what), code(c) {}
};

// Binds bytes as a BLOB rather than TEXT (DER certificates).
struct Blob {
  std::string_view bytes;
};

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  Statement& bind(int index, std::int64_t v);
  Statement& bind(int index, int v) { return bind(index, static_cast<std::int64_t>(v)); }
  Statement& bind(int index, std::string_view v);
  Statement& bind(int index, const std::string& v) { return bind(index, std::string_view(v)); }
  Statement& bind(int index, const char* v) { return bind(index, std::string_view(v)); }
  Statement& bind(int index, std::optional<std::int64_t> v);
  Statement& bind(int index, const std::optional<std::string>& v) {
    return v ? bind(index, std::string_view(*v)) : bind_null(index);
  }
  Statement& bind(int index, const Blob& v);
  Statement& bind_null(int index);

  template <typename... Args>
  Statement& bind_all(const Args&... args) {
    int i = 0;
    (bind(++i, args), ...);
    return *this;
  }

  // Advances to the next row; false when done. Throws SqliteError (UniqueViolation on a
  // unique/primary key conflict).
  bool step();
  // Runs a statement that returns no rows.
  void run() {
    while (step()) {
    }
  }

  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  int integer(int col) const { return sqlite3_column_int(stmt_, col); }
  std::string text(int col) const;
  std::optional<std::int64_t> optional_int64(int col) const;
  std::optional<std::string> optional_text(int col) const;
  std::string blob(int col) const;
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  // SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB or SQLITE_NULL: what the value is,
  // whatever its column was declared.
  int column_type(int col) const { return sqlite3_column_type(stmt_, col); }
  // True when running the statement may change the database file (sqlite3_stmt_readonly).
  bool writes() const { return sqlite3_stmt_readonly(stmt_) == 0; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;  // owned by the connection's statement cache
};

// One connection with a cache of prepared statements keyed by their SQL text.
class Connection {
 public:
  // `synchronous_full`: every COMMIT on this connection flushes the WAL to the disk
  // (Durability::full); else the WAL is flushed at checkpoints only.
  explicit Connection(const std::string& path, bool synchronous_full = false);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Statement prepare(std::string_view sql);
  void exec(const char* sql);  // for BEGIN/COMMIT and migrations
  std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_.get()); }
  sqlite3* handle() const { return db_.get(); }

 private:
  struct CloseDb {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  struct FinalizeStmt {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  // Declared first so it is destroyed last: statements must be finalized before the close.
  std::unique_ptr<sqlite3, CloseDb> db_;
  std::unordered_map<std::string, std::unique_ptr<sqlite3_stmt, FinalizeStmt>> cache_;
};

[[noreturn]] void throw_error(sqlite3* db, int rc, std::string_view context);

}  // namespace onshi::store::sqlite
