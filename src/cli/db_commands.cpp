// `onshi db migrate|status|backup|copy`.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "app/core/audit.hpp"
#include "cli/commands.hpp"
#include "cli/runtime.hpp"
#include "store/backup.hpp"
#include "store/copy.hpp"
#include "store/database.hpp"

namespace onshi::cli {
namespace {

// An installation moved from SQLite to PostgreSQL (docs/database.md): exit 2 when refused before
// anything was written, 1 when the copy failed or did not verify (rolled back either way).
void copy(const std::string& from, const std::string& to) {
  store::CopyOptions options;
  app::AuditVerification audit;
  // The same check as `onshi audit verify`, on the source first and then on the copy before it
  // commits.
  options.check = [&audit](store::ReadTx& tx) -> std::optional<std::string> {
    audit = app::verify_audit_log(tx);
    if (audit.ok) return std::nullopt;
    return fmt::format("audit log BROKEN at entry {}: {}", audit.first_bad_seq, audit.problem);
  };
  bool header = false;
  options.progress = [&header](const store::TableCopied& t) {
    if (!header) {
      std::cout << fmt::format("{:<28} {:>12} {:>12}\n", "table", "source rows", "copied rows");
      header = true;
    }
    std::cout << fmt::format("{:<28} {:>12} {:>12}{}\n", t.name, t.source_rows, t.target_rows,
                             t.source_rows == t.target_rows ? "" : "  DIFFERENT");
  };
  std::cout << fmt::format("copying {} to {}\n", store::redacted_database_url(from),
                           store::redacted_database_url(to));
  std::expected<store::CopyReport, store::CopyError> result;
  try {
    result = store::copy_database(from, to, options);
  } catch (const std::exception& e) {
    std::cerr << fmt::format("db copy failed, nothing was committed to the target: {}\n", e.what());
    throw CLI::RuntimeError(1);
  }
  if (!result) {
    std::cerr << "db copy: " << result.error().message << '\n';
    const bool wrote = result.error().reason == store::CopyRefusal::verification;
    throw CLI::RuntimeError(wrote ? 1 : 2);
  }
  std::int64_t rows = 0;
  for (const auto& t : result->tables) rows += t.target_rows;
  std::cout << fmt::format(
      "copied {} tables, {} rows at schema version {}; {} identity sequences moved past the "
      "copied ids\n",
      result->tables.size(), rows, result->schema_version, result->sequences_reset);
  std::cout << fmt::format("audit log OK on the copy: {} entries\n", audit.entries);
  if (audit.head) std::cout << "checkpoint: " << audit.head->text() << '\n';
  std::cout << fmt::format("serve from it with --database-url {} (or database.url)\n",
                           store::redacted_database_url(to));
}

}  // namespace

void register_db_commands(CLI::App& root, GlobalOptions& globals) {
  auto* db = root.add_subcommand("db", "Database maintenance");
  db->require_subcommand(1);
  db->add_subcommand("migrate", "Apply the schema migrations not yet applied")
      ->callback([&globals] {
        Runtime rt(globals);
        const int applied = rt.db().migrate();
        std::cout << "applied " << applied << " migration(s); schema version "
                  << rt.db().schema_version() << '\n';
      });
  auto* backup = db->add_subcommand(
      "backup", "Copy the embedded database to a new file while serve runs (SQLite only)");
  auto out = std::make_shared<std::string>();
  backup->add_option("--out", *out, "The new file (never overwritten)")->required();
  backup->callback([&globals, out] {
    Runtime rt(globals, Runtime::ExistingDatabase{});
    const auto done = store::backup_embedded_database(rt.config().database_url, *out);
    if (!done) {
      std::cerr << "db backup: " << done.error() << '\n';
      throw CLI::RuntimeError(2);
    }
    std::cout << "backup written to " << *out << " (" << done->pages << " pages, " << done->bytes
              << " bytes, integrity check ok)\n";
  });
  db->add_subcommand("status", "Print the engine and the schema version")->callback([&globals] {
    Runtime rt(globals);
    const std::string& url = rt.config().database_url;
    const int have = rt.db().schema_version();
    const int want = store::current_schema_version();
    std::cout << "database " << store::redacted_database_url(url) << " ("
              << (store::is_embedded_database(url) ? "sqlite" : "postgresql") << ")\n"
              << "schema version " << have << '\n';
    if (have < want) {
      std::cout << (want - have) << " migration(s) to apply: run `onshi db migrate`\n";
    } else if (have > want) {
      std::cout << "newer than this onshi (" << want << ")\n";
    }
  });
  auto from = std::make_shared<std::string>();
  auto to = std::make_shared<std::string>();
  auto* copy_cmd = db->add_subcommand(
      "copy", "Copy an SQLite database into an empty PostgreSQL one, and verify the copy");
  copy_cmd->add_option("--from", *from, "The source, sqlite:PATH (at this onshi's schema version)")
      ->required();
  copy_cmd->add_option("--to", *to, "The target, postgresql://USER@HOST:PORT/DB (empty; migrated)")
      ->required();
  copy_cmd->callback([from, to] { copy(*from, *to); });
}

}  // namespace onshi::cli
