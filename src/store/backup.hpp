#pragma once
// `onshi db backup`: a copy of the embedded database taken while `serve` runs. PostgreSQL has its
// own tools for that (pg_dump, base backups: docs/deploy.md).
#include <cstdint>
#include <expected>
#include <string>

namespace onshi::store {

struct BackupSummary {
  std::int64_t pages = 0;
  std::int64_t bytes = 0;
};

// Copies the SQLite database at `url` into the new file `out` with SQLite's online backup API (a
// consistent snapshot, with writers going on beside it), readable by the owner only, then checks
// the copy (PRAGMA integrity_check). Refuses a PostgreSQL URL, a source that does not exist and an
// `out` that does (nothing overwritten); a failed copy leaves no file behind.
std::expected<BackupSummary, std::string> backup_embedded_database(const std::string& url,
                                                                   const std::string& out);

}  // namespace onshi::store
