#pragma once
// The two ends of copy_database (copy.hpp): the SQLite source read in one snapshot, and the
// PostgreSQL target written in one transaction. Internal to store/.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "store/sql/session.hpp"

namespace onshi::store {
namespace postgres {
class Connection;
}
namespace sqlite {
class Connection;
}
}  // namespace onshi::store

namespace onshi::store::copy {

// A table as the source has it.
struct SourceTable {
  std::string name;
  std::vector<std::string> columns;  // by name, in the source's order
  // The primary key's columns, or "rowid" for a table without one: the order rows are read in, so
  // that a row referring to an older row of its own table (usage_applications.changes_id) comes
  // after it.
  std::vector<std::string> order_by;
  std::set<std::string> parents;  // the tables its foreign keys refer to, itself excluded
};

// One value as SQLite stored it.
struct Cell {
  enum class Kind { null, integer, text, blob };
  Kind kind = Kind::null;
  std::int64_t integer = 0;
  std::string bytes;  // the text (a REAL's too) or the blob
};

// "name" with its quotes doubled: an identifier from a catalogue, never a value.
std::string identifier(std::string_view name);

// A read-only snapshot of an SQLite file, from construction to destruction.
class SqliteSource {
 public:
  explicit SqliteSource(const std::string& path);
  ~SqliteSource();
  SqliteSource(const SqliteSource&) = delete;
  SqliteSource& operator=(const SqliteSource&) = delete;

  int schema_version();
  // Every table but schema_migrations and SQLite's own, by name.
  std::vector<SourceTable> tables();
  std::int64_t count(const SourceTable& t);
  // Each row's cells in t.columns' order, in t.order_by's order; `row` may move them away.
  void scan(const SourceTable& t, const std::function<void(std::vector<Cell>& row)>& row);
  sql::Session& session() { return *session_; }

 private:
  std::unique_ptr<sqlite::Connection> c_;
  std::unique_ptr<sql::Session> session_;
};

// Rows a freshly migrated database holds (ocsp_epoch's one row), by table: what an empty target
// may hold and the copy replaces.
std::map<std::string, std::int64_t> seeded_rows();

struct TargetTable {
  std::map<std::string, std::string> column_types;  // name -> information_schema's data_type
  std::vector<std::string> identity_columns;        // with a sequence behind them
};

// One connection to the target; begin() to commit() is the copy's transaction.
class PostgresTarget {
 public:
  explicit PostgresTarget(const std::string& url);
  ~PostgresTarget();
  PostgresTarget(const PostgresTarget&) = delete;
  PostgresTarget& operator=(const PostgresTarget&) = delete;

  // Every table of the current schema but schema_migrations, by name.
  std::map<std::string, TargetTable> tables();
  // The table's rows, counting no further than `limit` when it is positive.
  std::int64_t count(const std::string& table, std::int64_t limit = 0);

  // BEGIN, and every table locked against writers until the end.
  void begin(const std::vector<std::string>& tables);
  void clear(const std::string& table);
  // `cells` holds whole rows of `columns`, converted to the target's column types.
  void insert(const std::string& table, const std::vector<std::string>& columns,
              const TargetTable& shape, std::span<const Cell> cells);
  // Each identity to one past its column's largest value; returns how many.
  int reset_sequences(const std::string& table, const TargetTable& shape);
  sql::Session& session() { return *session_; }
  void commit();
  void roll_back() noexcept;

 private:
  std::unique_ptr<postgres::Connection> c_;
  std::unique_ptr<sql::Session> session_;
};

}  // namespace onshi::store::copy
