// The SQLite end of copy_database: one read transaction, so that the counts and the rows are of
// the same moment even if something still wrote to the file.
#include <fmt/format.h>

#include <algorithm>

#include "store/copy_parts.hpp"
#include "store/migrations.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/sqlite_session.hpp"

namespace onshi::store::copy {

std::string identifier(std::string_view name) {
  std::string out = "\"";
  for (const char c : name) {
    out.push_back(c);
    if (c == '"') out.push_back('"');
  }
  out.push_back('"');
  return out;
}

namespace {

std::vector<std::string> table_names(sqlite::Connection& c) {
  // sqlite_sequence, sqlite_stat1 and the like are SQLite's, remade by the target's own engine.
  auto s = c.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE "
      "'\\' AND name <> 'schema_migrations' ORDER BY name");
  std::vector<std::string> names;
  while (s.step()) names.push_back(s.text(0));
  return names;
}

}  // namespace

SqliteSource::SqliteSource(const std::string& path)
    : c_(std::make_unique<sqlite::Connection>(path)),
      session_(std::make_unique<sqlite::SqliteSession>(*c_)) {
  // The copy never writes to its source, and SQLite holds it to that.
  c_->exec("PRAGMA query_only = ON");
  c_->exec("BEGIN");
}

SqliteSource::~SqliteSource() {
  try {
    c_->exec("ROLLBACK");
  } catch (...) {
    // Nothing to undo in a read transaction.
  }
}

int SqliteSource::schema_version() {
  auto exists = c_->prepare(
      "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  if (!exists.step()) return 0;
  auto s = c_->prepare("SELECT coalesce(max(version), 0) FROM schema_migrations");
  return s.step() ? s.integer(0) : 0;
}

std::vector<SourceTable> SqliteSource::tables() {
  std::vector<SourceTable> out;
  for (const auto& name : table_names(*c_)) {
    SourceTable t;
    t.name = name;
    std::vector<std::pair<int, std::string>> key;
    {
      auto s = c_->prepare("SELECT name, pk FROM pragma_table_info(?) ORDER BY cid");
      s.bind(1, name);
      while (s.step()) {
        t.columns.push_back(s.text(0));
        if (s.integer(1) > 0) key.emplace_back(s.integer(1), s.text(0));
      }
    }
    std::sort(key.begin(), key.end());
    for (auto& [position, column] : key) t.order_by.push_back(std::move(column));
    if (t.order_by.empty()) t.order_by.push_back("rowid");
    {
      auto s = c_->prepare("SELECT \"table\" FROM pragma_foreign_key_list(?)");
      s.bind(1, name);
      while (s.step()) {
        if (s.text(0) != name) t.parents.insert(s.text(0));
      }
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::int64_t SqliteSource::count(const SourceTable& t) {
  auto s = c_->prepare(fmt::format("SELECT count(*) FROM {}", identifier(t.name)));
  return s.step() ? s.int64(0) : 0;
}

void SqliteSource::scan(const SourceTable& t,
                        const std::function<void(std::vector<Cell>& row)>& visit) {
  std::string columns;
  for (const auto& c : t.columns) columns.append(columns.empty() ? "" : ", ").append(identifier(c));
  std::string order;
  for (const auto& c : t.order_by) {
    order.append(order.empty() ? "" : ", ").append(c == "rowid" ? c : identifier(c));
  }
  auto s =
      c_->prepare(fmt::format("SELECT {} FROM {} ORDER BY {}", columns, identifier(t.name), order));
  const int n = static_cast<int>(t.columns.size());
  std::vector<Cell> row(t.columns.size());
  while (s.step()) {
    for (int i = 0; i < n; ++i) {
      Cell& cell = row[static_cast<std::size_t>(i)];
      cell.integer = 0;
      cell.bytes.clear();
      switch (s.column_type(i)) {
        case SQLITE_NULL:
          cell.kind = Cell::Kind::null;
          break;
        case SQLITE_INTEGER:
          cell.kind = Cell::Kind::integer;
          cell.integer = s.int64(i);
          break;
        case SQLITE_BLOB:
          cell.kind = Cell::Kind::blob;
          cell.bytes = s.blob(i);
          break;
        default:  // TEXT, and a REAL as SQLite spells it (no column is REAL today)
          cell.kind = Cell::Kind::text;
          cell.bytes = s.text(i);
          break;
      }
    }
    visit(row);
  }
}

std::map<std::string, std::int64_t> seeded_rows() {
  // The migrations run again on an empty database in memory: what they leave is what an unused
  // target holds (the same numbers write the same rows on both engines).
  sqlite::Connection c(":memory:");
  c.exec("PRAGMA foreign_keys = OFF");
  for (const auto& m : sqlite_migrations()) c.exec(std::string(m.sql).c_str());
  std::map<std::string, std::int64_t> out;
  for (const auto& name : table_names(c)) {
    auto s = c.prepare(fmt::format("SELECT count(*) FROM {}", identifier(name)));
    if (s.step() && s.int64(0) > 0) out[name] = s.int64(0);
  }
  return out;
}

}  // namespace onshi::store::copy
