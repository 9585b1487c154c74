// The PostgreSQL end of copy_database: rows inserted many to a statement, each value converted to
// its column's type (bytea sent binary, so every byte value arrives as it is).
#include <fmt/format.h>

#include <cstdlib>
#include <stdexcept>

#include "store/copy_parts.hpp"
#include "store/postgres/connection.hpp"
#include "store/postgres/postgres_session.hpp"

namespace onshi::store::copy {
namespace {

using postgres::Bytes;
using postgres::Null;
using postgres::Param;

enum class ColumnKind { integer, bytea, other };

ColumnKind kind_of(const std::string& data_type) {
  if (data_type == "bigint" || data_type == "integer" || data_type == "smallint")
    return ColumnKind::integer;
  if (data_type == "bytea") return ColumnKind::bytea;
  return ColumnKind::other;
}

// How a row is named in a message: by its first column (the id, or the key).
std::string row_named(const std::vector<std::string>& columns, const Cell& first) {
  return fmt::format("the row whose {} is {}", columns[0],
                     first.kind == Cell::Kind::integer ? std::to_string(first.integer)
                                                       : first.bytes.substr(0, 80));
}

// The server's message without the statement libpq quotes in it (an INSERT of thousands of
// placeholders says nothing to the operator), and the value it names by its placeholder ("unnamed
// portal parameter $6") named by its column and row.
std::string explained(const std::exception& e, const std::string& sql, const std::string& table,
                      const std::vector<std::string>& columns, std::span<const Cell> cells) {
  std::string what = e.what();
  if (const auto at = what.find(sql); at != std::string::npos) {
    what.replace(at, sql.size(), fmt::format("INSERT INTO {} VALUES …", table));
  }
  constexpr std::string_view marker = "parameter $";
  if (const auto at = what.find(marker); at != std::string::npos) {
    const std::size_t k = std::strtoull(what.c_str() + at + marker.size(), nullptr, 10);
    if (k >= 1 && k <= cells.size()) {
      const std::size_t n = columns.size();
      what += fmt::format(" (${}: {}.{} of {})", k, table, columns[(k - 1) % n],
                          row_named(columns, cells[(k - 1) / n * n]));
    }
  }
  return what;
}

}  // namespace

PostgresTarget::PostgresTarget(const std::string& url)
    : c_(std::make_unique<postgres::Connection>(url)),
      session_(std::make_unique<postgres::PostgresSession>(*c_)) {}

PostgresTarget::~PostgresTarget() {
  roll_back();
}

std::map<std::string, TargetTable> PostgresTarget::tables() {
  const auto r = c_->execute(
      "SELECT c.table_name, c.column_name, c.data_type, "
      "(c.is_identity = 'YES' OR coalesce(c.column_default, '') LIKE 'nextval(%') "
      "FROM information_schema.columns c JOIN information_schema.tables t "
      "ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
      "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' "
      "AND c.table_name <> 'schema_migrations' ORDER BY c.table_name, c.ordinal_position");
  std::map<std::string, TargetTable> out;
  for (int row = 0; row < r.rows(); ++row) {
    TargetTable& t = out[r.text(row, 0)];
    t.column_types[r.text(row, 1)] = r.text(row, 2);
    if (r.text(row, 3) == "t") t.identity_columns.push_back(r.text(row, 1));
  }
  return out;
}

std::int64_t PostgresTarget::count(const std::string& table, std::int64_t limit) {
  if (limit > 0) {
    return c_
        ->execute(
            fmt::format("SELECT count(*) FROM (SELECT 1 FROM {} LIMIT $1) AS r", identifier(table)),
            {limit})
        .int64(0, 0);
  }
  return c_->execute(fmt::format("SELECT count(*) FROM {}", identifier(table))).int64(0, 0);
}

void PostgresTarget::begin(const std::vector<std::string>& tables) {
  c_->execute("BEGIN");
  if (tables.empty()) return;
  // EXCLUSIVE lets readers in but no writer, so that the target is still empty when the copy
  // starts writing and nothing else writes until it commits (a node started too early waits).
  std::string names;
  for (const auto& t : tables) names.append(names.empty() ? "" : ", ").append(identifier(t));
  c_->execute(fmt::format("LOCK TABLE {} IN EXCLUSIVE MODE", names));
}

void PostgresTarget::clear(const std::string& table) {
  c_->execute(fmt::format("DELETE FROM {}", identifier(table)));
}

void PostgresTarget::insert(const std::string& table, const std::vector<std::string>& columns,
                            const TargetTable& shape, std::span<const Cell> cells) {
  const std::size_t n = columns.size();
  if (n == 0 || cells.empty()) return;
  std::vector<ColumnKind> kinds;
  std::string names;
  for (const auto& c : columns) {
    kinds.push_back(kind_of(shape.column_types.at(c)));
    names.append(names.empty() ? "" : ", ").append(identifier(c));
  }
  // Integers bound as text live here; reserved whole, so that no view into it moves.
  std::vector<std::string> spelled;
  spelled.reserve(cells.size());
  std::vector<Param> params;
  params.reserve(cells.size());
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const Cell& cell = cells[i];
    const ColumnKind kind = kinds[i % n];
    if (cell.kind == Cell::Kind::null) {
      params.emplace_back(Null{});
    } else if (cell.kind == Cell::Kind::integer && kind == ColumnKind::integer) {
      params.emplace_back(cell.integer);
    } else if (cell.kind == Cell::Kind::integer) {
      spelled.push_back(std::to_string(cell.integer));
      if (kind == ColumnKind::bytea) {
        params.emplace_back(Bytes{spelled.back()});
      } else {
        params.emplace_back(std::string_view(spelled.back()));
      }
    } else if (kind == ColumnKind::bytea || cell.kind == Cell::Kind::blob) {
      // A blob in a text or integer column is the server's to refuse, by its column's name.
      params.emplace_back(Bytes{cell.bytes});
    } else {
      // libpq sends text up to its first NUL, and PostgreSQL's text cannot hold one: refused
      // rather than cut short without a word.
      if (cell.bytes.find('\0') != std::string::npos) {
        throw std::runtime_error(fmt::format(
            "{}.{} holds text with a NUL byte, which PostgreSQL's text cannot store ({})", table,
            columns[i % n], row_named(columns, cells[i - i % n])));
      }
      params.emplace_back(std::string_view(cell.bytes));
    }
  }
  std::string sql = fmt::format("INSERT INTO {} ({}) VALUES ", identifier(table), names);
  std::size_t next = 1;
  for (std::size_t row = 0; row < cells.size() / n; ++row) {
    sql.append(row == 0 ? "(" : ", (");
    for (std::size_t col = 0; col < n; ++col) {
      sql.append(col == 0 ? "$" : ", $").append(std::to_string(next++));
    }
    sql.push_back(')');
  }
  try {
    c_->execute(sql, params);
  } catch (const postgres::ConnectionLost& e) {
    throw postgres::ConnectionLost(e.sqlstate, explained(e, sql, table, columns, cells));
  } catch (const std::exception& e) {
    throw std::runtime_error(explained(e, sql, table, columns, cells));
  }
}

int PostgresTarget::reset_sequences(const std::string& table, const TargetTable& shape) {
  int reset = 0;
  for (const auto& column : shape.identity_columns) {
    // Without this, an identity would start at 1 again and the first new row would collide with
    // a copied one. pg_get_serial_sequence parses its first argument as SQL: the name quoted.
    const std::string name = identifier(table);
    c_->execute(fmt::format("SELECT setval(pg_get_serial_sequence($1, $2), coalesce(max({}), 0) "
                            "+ 1, false) FROM {}",
                            identifier(column), name),
                {std::string_view(name), std::string_view(column)});
    ++reset;
  }
  return reset;
}

void PostgresTarget::commit() {
  c_->execute("COMMIT");
}

void PostgresTarget::roll_back() noexcept {
  try {
    if (c_->in_transaction()) c_->execute("ROLLBACK");
  } catch (...) {
    // A lost connection's transaction is gone with it.
  }
}

}  // namespace onshi::store::copy
