#pragma once
// The PostgreSQL side of store/sql/session.hpp: placeholders numbered $N, each statement prepared
// once per connection.
#include "store/postgres/connection.hpp"
#include "store/sql/session.hpp"

namespace onshi::store::postgres {

class PostgresSession final : public sql::Session {
 public:
  explicit PostgresSession(Connection& c) : c_(c) {}
  sql::Engine engine() const override { return sql::Engine::postgresql; }
  std::unique_ptr<sql::Cursor> execute(std::string_view sql,
                                       std::span<const sql::Value> params) override;

 private:
  Connection& c_;
};

}  // namespace onshi::store::postgres
