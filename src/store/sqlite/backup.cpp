#include "store/backup.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <thread>

#include "store/engines.hpp"

namespace onshi::store {
namespace {

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbPtr = std::unique_ptr<sqlite3, CloseDb>;

std::expected<DbPtr, std::string> open(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) {
    return std::unexpected(
        fmt::format("{}: {}", path, raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(raw, 10000);
  return db;
}

std::expected<BackupSummary, std::string> copy(sqlite3* from, sqlite3* to) {
  struct Finish {
    void operator()(sqlite3_backup* b) const { sqlite3_backup_finish(b); }
  };
  std::unique_ptr<sqlite3_backup, Finish> backup(sqlite3_backup_init(to, "main", from, "main"));
  if (!backup) return std::unexpected(std::string(sqlite3_errmsg(to)));
  BackupSummary summary;
  for (;;) {
    // A few pages at a time, so that the server's writers wait for the lock briefly each time.
    const int rc = sqlite3_backup_step(backup.get(), 256);
    if (rc == SQLITE_DONE) break;
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    if (rc != SQLITE_OK) return std::unexpected(std::string(sqlite3_errstr(rc)));
  }
  summary.pages = sqlite3_backup_pagecount(backup.get());
  if (const int rc = sqlite3_backup_finish(backup.release()); rc != SQLITE_OK)
    return std::unexpected(std::string(sqlite3_errmsg(to)));
  return summary;
}

std::expected<void, std::string> check(sqlite3* db) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &raw, nullptr) != SQLITE_OK)
    return std::unexpected(std::string(sqlite3_errmsg(db)));
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> s(raw, &sqlite3_finalize);
  if (sqlite3_step(s.get()) != SQLITE_ROW) return std::unexpected(std::string(sqlite3_errmsg(db)));
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0));
  if (!text || std::string_view(text) != "ok")
    return std::unexpected(fmt::format("the copy fails its integrity check: {}", text ? text : ""));
  return {};
}

}  // namespace

std::expected<BackupSummary, std::string> backup_embedded_database(const std::string& url,
                                                                   const std::string& out) {
  const DatabaseUrl where = parse_database_url(url);
  if (where.engine != DatabaseUrl::Engine::sqlite)
    return std::unexpected(
        std::string("db backup copies the embedded SQLite database; for "
                    "PostgreSQL use pg_dump or a base backup"));
  std::error_code ec;
  if (!std::filesystem::is_regular_file(where.target, ec))
    return std::unexpected(fmt::format("no database at {}", where.target));
  if (std::filesystem::exists(out, ec))
    return std::unexpected(fmt::format("{} exists: a backup never overwrites a file", out));

  auto from = open(where.target, SQLITE_OPEN_READONLY);
  if (!from) return std::unexpected(from.error());
  // O_EXCL: created here or refused, never a file that appeared since the check above; 0600
  // from the start, since the copy holds sealed keys and password hashes.
  const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return std::unexpected(fmt::format("{}: {}", out, std::strerror(errno)));
  ::close(fd);
  auto to = open(out, SQLITE_OPEN_READWRITE);
  if (!to) {
    std::filesystem::remove(out, ec);
    return std::unexpected(to.error());
  }
  auto summary = copy(from->get(), to->get());
  std::expected<void, std::string> checked;
  if (summary) checked = check(to->get());
  to->reset();
  if (!summary || !checked) {
    std::filesystem::remove(out, ec);
    return std::unexpected(!summary ? summary.error() : checked.error());
  }
  summary->bytes = static_cast<std::int64_t>(std::filesystem::file_size(out, ec));
  return summary;
}

}  // namespace onshi::store
