#pragma once
// The SQLite side of store/sql/session.hpp: the SQL runs as it is, on one connection's statement
// cache.
#include "store/sql/session.hpp"
#include "store/sqlite/connection.hpp"

namespace onshi::store::sqlite {

class SqliteSession final : public sql::Session {
 public:
  enum class Access { read_write, read_only };
  explicit SqliteSession(Connection& c, Access access = Access::read_write)
      : c_(c), access_(access) {}
  sql::Engine engine() const override { return sql::Engine::sqlite; }
  std::unique_ptr<sql::Cursor> execute(std::string_view sql,
                                       std::span<const sql::Value> params) override;

 private:
  Connection& c_;
  Access access_;
};

}  // namespace onshi::store::sqlite
