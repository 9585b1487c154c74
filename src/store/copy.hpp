#pragma once
// `onshi db copy`: an installation moved from the embedded store (SQLite) to PostgreSQL, every
// table's rows as they are (ids, hashes, DER bytes), in one PostgreSQL transaction.
#include <cstddef>
#include <cstdint>
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/database.hpp"

namespace onshi::store {

struct TableCopied {
  std::string name;
  std::int64_t source_rows = 0;
  std::int64_t target_rows = 0;
};

struct CopyReport {
  int schema_version = 0;
  // In the order they were copied: parents before the tables that refer to them.
  std::vector<TableCopied> tables;
  // Identity columns moved past the largest id copied.
  int sequences_reset = 0;
};

enum class CopyRefusal {
  // Only SQLite to PostgreSQL is supported.
  unsupported,
  source_missing,
  // The source is not at this build's schema version (run `onshi db migrate` on it).
  source_version,
  // The target is newer than this build, or holds tables that are no onshi schema.
  target_version,
  // The target holds rows already: nothing was changed.
  target_not_empty,
  // After migrating, the target's tables or columns are not the source's.
  schema_mismatch,
  // The source did not pass CopyOptions::check: nothing was written to the target.
  source_check,
  // After the copy, a table's row count or CopyOptions::check differed: rolled back, the target
  // is left empty.
  verification,
};

struct CopyError {
  CopyRefusal reason = CopyRefusal::unsupported;
  std::string message;  // English, for the operator's terminal; passwords in URLs redacted
};

struct CopyOptions {
  // At most this many rows per INSERT (fewer when their values would pass PostgreSQL's 65535
  // parameters, or `batch_bytes`), so that only one batch is ever held in memory.
  int batch_rows = 5000;
  std::size_t batch_bytes = std::size_t{16} << 20;
  // Runs on the source's snapshot before anything is written, and on the target inside the copy's
  // transaction before it commits (the audit chain's verification: app/core/audit.hpp, which
  // store/ cannot call). An error message refuses the copy, or rolls it back.
  std::function<std::optional<std::string>(ReadTx&)> check;
  // Told each table once its rows are in (before the transaction commits).
  std::function<void(const TableCopied&)> progress;
};

// Copies the SQLite database at `from_url` into the PostgreSQL database at `to_url`. The source
// must be at this build's schema version; the target is migrated to it first and must hold no
// rows but those its migrations write. Errors that are the data's or the setup's come back as a
// CopyError; a failure of either engine (the server away, a value PostgreSQL refuses) is thrown,
// and the target is left as it was (empty) in both cases.
std::expected<CopyReport, CopyError> copy_database(const std::string& from_url,
                                                   const std::string& to_url,
                                                   const CopyOptions& options = {});

}  // namespace onshi::store
