// copy_database (copy.hpp): the checks before the copy, the tables in foreign-key order, and the
// checks after it, all before the one COMMIT.
#include "store/copy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "store/copy_parts.hpp"
#include "store/engines.hpp"
#include "store/sql/sql_tx.hpp"

namespace onshi::store {
namespace {

using copy::Cell;
using copy::PostgresTarget;
using copy::SourceTable;
using copy::SqliteSource;
using copy::TargetTable;

// A statement's parameters are numbered in 16 bits on PostgreSQL's wire.
constexpr std::size_t kMaxParameters = 65535;

std::unexpected<CopyError> refuse(CopyRefusal reason, std::string message) {
  return std::unexpected(CopyError{reason, std::move(message)});
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out.append(out.empty() ? "" : ", ").append(item);
  return out;
}

// Parents before the tables that refer to them; among the tables ready at once, by name, so that
// every run copies (and prints) in the same order. A table's reference to itself is served by
// reading its rows in key order (SourceTable::order_by).
std::vector<SourceTable> in_foreign_key_order(std::vector<SourceTable> tables) {
  std::map<std::string, SourceTable> pending;
  for (auto& t : tables) pending.emplace(t.name, std::move(t));
  std::vector<SourceTable> out;
  while (!pending.empty()) {
    std::vector<std::string> ready;
    for (const auto& [name, t] : pending) {
      if (std::none_of(t.parents.begin(), t.parents.end(),
                       [&](const std::string& p) { return pending.contains(p); }))
        ready.push_back(name);
    }
    if (ready.empty()) {
      std::vector<std::string> names;
      for (const auto& entry : pending) names.push_back(entry.first);
      // The migrations make no such schema; a copy of one would need deferred constraints.
      throw std::logic_error("db copy: the foreign keys of these tables form a cycle: " +
                             joined(names));
    }
    for (const auto& name : ready) {
      out.push_back(std::move(pending.at(name)));
      pending.erase(name);
    }
  }
  return out;
}

std::optional<std::string> schema_difference(const std::vector<SourceTable>& source,
                                             const std::map<std::string, TargetTable>& target) {
  std::vector<std::string> problems;
  std::set<std::string> seen;
  for (const auto& t : source) {
    seen.insert(t.name);
    const auto it = target.find(t.name);
    if (it == target.end()) {
      problems.push_back(fmt::format("table {} is not in the target", t.name));
      continue;
    }
    const auto& types = it->second.column_types;
    for (const auto& c : t.columns) {
      if (!types.contains(c))
        problems.push_back(fmt::format("column {}.{} is not in the target", t.name, c));
    }
    for (const auto& [c, type] : types) {
      if (std::find(t.columns.begin(), t.columns.end(), c) == t.columns.end())
        problems.push_back(fmt::format("column {}.{} is only in the target", t.name, c));
    }
  }
  for (const auto& [name, shape] : target) {
    if (!seen.contains(name))
      problems.push_back(fmt::format("table {} is only in the target", name));
  }
  if (problems.empty()) return std::nullopt;
  return joined(problems);
}

// The tables holding more than a freshly migrated database's rows.
std::vector<std::string> tables_with_rows(PostgresTarget& target,
                                          const std::map<std::string, TargetTable>& tables,
                                          const std::map<std::string, std::int64_t>& seeded) {
  std::vector<std::string> full;
  for (const auto& entry : tables) {
    const auto s = seeded.find(entry.first);
    const std::int64_t allowed = s == seeded.end() ? 0 : s->second;
    if (target.count(entry.first, allowed + 1) > allowed) full.push_back(entry.first);
  }
  return full;
}

std::string not_empty(const std::string& to_url, const std::vector<std::string>& full) {
  return fmt::format(
      "the target {} already holds rows ({}): db copy writes only into an empty database; "
      "nothing was changed",
      redacted_database_url(to_url), joined(full));
}

void copy_rows(SqliteSource& source, PostgresTarget& target, const SourceTable& t,
               const TargetTable& shape, const CopyOptions& o) {
  const std::size_t n = t.columns.size();
  if (n == 0) return;
  const std::size_t rows = std::clamp<std::size_t>(
      static_cast<std::size_t>(std::max(1, o.batch_rows)), 1, kMaxParameters / n);
  std::vector<Cell> batch;
  batch.reserve(rows * n);
  std::size_t bytes = 0;
  const auto flush = [&] {
    target.insert(t.name, t.columns, shape, batch);
    batch.clear();
    bytes = 0;
  };
  source.scan(t, [&](std::vector<Cell>& row) {
    for (auto& cell : row) {
      bytes += cell.bytes.size() + sizeof(Cell);
      batch.push_back(std::move(cell));
    }
    if (batch.size() >= rows * n || bytes >= o.batch_bytes) flush();
  });
  if (!batch.empty()) flush();
}

}  // namespace

std::expected<CopyReport, CopyError> copy_database(const std::string& from_url,
                                                   const std::string& to_url,
                                                   const CopyOptions& options) {
  const DatabaseUrl from = parse_database_url(from_url);
  const DatabaseUrl to = parse_database_url(to_url);
  const std::string shown_from = redacted_database_url(from_url);
  const std::string shown_to = redacted_database_url(to_url);
  if (from.engine != DatabaseUrl::Engine::sqlite || to.engine != DatabaseUrl::Engine::postgresql) {
    return refuse(CopyRefusal::unsupported,
                  "db copy copies an SQLite database (--from sqlite:PATH) into PostgreSQL (--to "
                  "postgresql://USER@HOST:PORT/DB)");
  }
  if (!database_exists(from_url))
    return refuse(CopyRefusal::source_missing, fmt::format("no onshi database at {}", shown_from));

  const int want = current_schema_version();
  SqliteSource source(from.target);
  if (const int have = source.schema_version(); have != want) {
    return refuse(CopyRefusal::source_version,
                  have < want ? fmt::format("the source {} has schema version {}, this onshi uses "
                                            "{}: run `onshi db migrate --database-url {}` first",
                                            shown_from, have, want, shown_from)
                              : fmt::format("the source {} has schema version {}, newer than this "
                                            "onshi's {}: copy it with the onshi that wrote it",
                                            shown_from, have, want));
  }
  if (options.check) {
    sql::SqlTx tx(source.session());
    if (auto problem = options.check(tx)) {
      return refuse(CopyRefusal::source_check,
                    fmt::format("the source {}: {}; nothing was copied", shown_from, *problem));
    }
  }
  const std::vector<SourceTable> tables = in_foreign_key_order(source.tables());
  const auto seeded = copy::seeded_rows();

  // Looked at before migrating, so that a refused target is left exactly as it was.
  {
    const auto db = open_database(to_url, 1);
    const int have = db->schema_version();
    if (have > want) {
      return refuse(CopyRefusal::target_version,
                    fmt::format("the target {} has schema version {}, newer than this onshi's {}",
                                shown_to, have, want));
    }
    PostgresTarget probe(to.target);
    const auto existing = probe.tables();
    if (have == 0 && !existing.empty()) {
      std::vector<std::string> names;
      for (const auto& entry : existing) names.push_back(entry.first);
      return refuse(CopyRefusal::target_version,
                    fmt::format("the target {} holds tables but no onshi schema ({}): give db "
                                "copy an empty database; nothing was changed",
                                shown_to, joined(names)));
    }
    if (const auto full = tables_with_rows(probe, existing, seeded); !full.empty())
      return refuse(CopyRefusal::target_not_empty, not_empty(to_url, full));
    db->migrate();
  }

  PostgresTarget target(to.target);
  const auto shapes = target.tables();
  if (const auto difference = schema_difference(tables, shapes)) {
    return refuse(CopyRefusal::schema_mismatch,
                  fmt::format("the target's schema is not the source's: {}", *difference));
  }
  std::vector<std::string> names;
  for (const auto& t : tables) names.push_back(t.name);
  target.begin(names);
  // Again under the locks: a node started meanwhile on the target may have written.
  if (const auto full = tables_with_rows(target, shapes, seeded); !full.empty())
    return refuse(CopyRefusal::target_not_empty, not_empty(to_url, full));

  CopyReport report;
  report.schema_version = want;
  for (const auto& t : tables) {
    const TargetTable& shape = shapes.at(t.name);
    // The migrations' own rows (ocsp_epoch's) give way to the source's.
    if (seeded.contains(t.name)) target.clear(t.name);
    copy_rows(source, target, t, shape, options);
    report.sequences_reset += target.reset_sequences(t.name, shape);
    TableCopied done;
    done.name = t.name;
    done.source_rows = source.count(t);
    done.target_rows = target.count(t.name);
    if (options.progress) options.progress(done);
    report.tables.push_back(std::move(done));
  }
  std::vector<std::string> differing;
  for (const auto& t : report.tables) {
    if (t.source_rows != t.target_rows)
      differing.push_back(
          fmt::format("{} ({} rows, {} copied)", t.name, t.source_rows, t.target_rows));
  }
  if (!differing.empty()) {
    return refuse(CopyRefusal::verification,
                  fmt::format("row counts differ after the copy: {}; rolled back, the target "
                              "holds no rows",
                              joined(differing)));
  }
  if (options.check) {
    sql::SqlTx tx(target.session());
    if (auto problem = options.check(tx)) {
      return refuse(CopyRefusal::verification,
                    fmt::format("the copy in {}: {}; rolled back, the target holds no rows",
                                shown_to, *problem));
    }
  }
  target.commit();
  return report;
}

}  // namespace onshi::store
