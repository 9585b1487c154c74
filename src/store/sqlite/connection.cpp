#include "store/sqlite/connection.hpp"

#include <fmt/format.h>

#include "store/database.hpp"

namespace onshi::store::sqlite {

namespace {

// The disk full or failing under the database file: nothing of the transaction is written (SQLite
// rolls it back, or the COMMIT that failed never took effect), and a later try may succeed, so
// the user gets a 503 to try again rather than a 500.
bool storage_failed(int primary) {
  return primary == SQLITE_FULL || primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN;
}

}  // namespace

void throw_error(sqlite3* db, int rc, std::string_view context) {
  const std::string message =
      fmt::format("sqlite: {}: {}", context, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  const int primary = rc & 0xFF;
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
    throw UniqueViolation(message);
  // Past the busy timeout: another writer held the lock too long; the whole transaction may run
  // again.
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) throw TransientConflict(message);
  if (storage_failed(primary)) throw DatabaseUnavailable(message);
  throw SqliteError(primary, message);
}

Statement& Statement::bind(int index, std::int64_t v) {
  if (const int rc = sqlite3_bind_int64(stmt_, index, v); rc != SQLITE_OK)
    throw_error(db_, rc, "bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view v) {
  if (const int rc =
          sqlite3_bind_text64(stmt_, index, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      rc != SQLITE_OK) {
    throw_error(db_, rc, "bind");
  }
  return *this;
}

Statement& Statement::bind(int index, std::optional<std::int64_t> v) {
  return v ? bind(index, *v) : bind_null(index);
}

Statement& Statement::bind(int index, const Blob& v) {
  if (const int rc =
          sqlite3_bind_blob64(stmt_, index, v.bytes.data(), v.bytes.size(), SQLITE_TRANSIENT);
      rc != SQLITE_OK) {
    throw_error(db_, rc, "bind");
  }
  return *this;
}

Statement& Statement::bind_null(int index) {
  if (const int rc = sqlite3_bind_null(stmt_, index); rc != SQLITE_OK) throw_error(db_, rc, "bind");
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw_error(db_, sqlite3_extended_errcode(db_), "step");
}

std::string Statement::text(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  if (!p) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::optional<std::string> Statement::optional_text(int col) const {
  if (is_null(col)) return std::nullopt;
  return text(col);
}

std::string Statement::blob(int col) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
  if (!p) return {};
  return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::optional<std::int64_t> Statement::optional_int64(int col) const {
  if (is_null(col)) return std::nullopt;
  return int64(col);
}

Connection::Connection(const std::string& path, bool synchronous_full) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  db_.reset(raw);
  if (rc != SQLITE_OK) throw_error(raw, rc, fmt::format("open {}", path));
  sqlite3_extended_result_codes(raw, 1);
  // Writers wait for each other instead of failing; WAL lets readers run beside one writer.
  sqlite3_busy_timeout(raw, 10000);
  exec("PRAGMA journal_mode = WAL");
  // Set once for the connection's life, never per transaction: SQLite refuses the change inside a
  // transaction, and changing pager flags between transactions costs the statement cache.
  exec(synchronous_full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
  exec("PRAGMA foreign_keys = ON");
}

Statement Connection::prepare(std::string_view sql) {
  auto key = std::string(sql);
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) throw_error(db_.get(), rc, fmt::format("prepare '{}'", sql));
    it = cache_.emplace(std::move(key), std::unique_ptr<sqlite3_stmt, FinalizeStmt>(stmt)).first;
  }
  return Statement(db_.get(), it->second.get());
}

void Connection::exec(const char* sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    // BEGIN IMMEDIATE is where a writer waits for the lock: past the busy timeout the whole
    // transaction may run again (Database::write), as for a statement.
    const int primary = rc & 0xFF;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
      throw TransientConflict(fmt::format("sqlite: {}", message));
    if (storage_failed(primary)) throw DatabaseUnavailable(fmt::format("sqlite: {}", message));
    throw SqliteError(rc, fmt::format("sqlite: {}", message));
  }
}

}  // namespace onshi::store::sqlite
