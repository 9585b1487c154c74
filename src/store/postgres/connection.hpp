#pragma once
// RAII over libpq, the start of the PostgreSQL backend. Internal to store/; only std types here,
// so that libpq-fe.h stays in connection.cpp. Values travel as parameters only ($1, $2, ...): no
// SQL is ever built from a value.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "store/database.hpp"

namespace onshi::store::postgres {

// Every error the server or libpq reports, with its SQLSTATE ("" when libpq made it up itself).
template <class Base>
struct WithSqlstate : Base {
  std::string sqlstate;
  WithSqlstate(std::string state, const std::string& what)
      : Base(what), sqlstate(std::move(state)) {}
};
// 40001: the transaction may run again (Database::write does).
struct SerializationFailure : WithSqlstate<TransientConflict> {
  using WithSqlstate::WithSqlstate;
};
// 40P01: the server aborted this transaction to break a lock cycle; it may run again too.
struct Deadlock : WithSqlstate<TransientConflict> {
  using WithSqlstate::WithSqlstate;
};
// 23505, caught by the use cases as the engine-neutral store::UniqueViolation.
struct UniqueViolation : WithSqlstate<store::UniqueViolation> {
  using WithSqlstate::WithSqlstate;
};
// The connection is gone (class 08, the server shutting down 57P01-57P03, or libpq's own error
// with no SQLSTATE). No TransientConflict: whether a COMMIT in flight took effect is unknown.
struct ConnectionLost : WithSqlstate<DatabaseUnavailable> {
  using WithSqlstate::WithSqlstate;
};
// Anything else the server refused (a syntax error, a check constraint, ...).
struct PostgresError : WithSqlstate<std::runtime_error> {
  using WithSqlstate::WithSqlstate;
};
// No connection of the pool came free in time.
struct PoolTimeout : DatabaseUnavailable {
  using DatabaseUnavailable::DatabaseUnavailable;
};

struct Null {};
// Sent as bytea in binary format, so every byte value arrives as it is (DER certificates).
struct Bytes {
  std::string_view bytes;
};
// Text goes in text format with its type left to the server; int64 goes as int8.
using Param = std::variant<Null, std::string_view, std::int64_t, Bytes>;

// The rows of one statement, owning its PGresult. Text format: bytes() decodes bytea.
class Result {
 public:
  struct State;
  explicit Result(std::unique_ptr<State> state);
  Result(Result&&) noexcept;
  Result& operator=(Result&&) noexcept;
  ~Result();

  int rows() const;
  int columns() const;
  // Rows changed by an INSERT, UPDATE or DELETE.
  std::int64_t affected() const;
  bool is_null(int row, int col) const;
  std::string text(int row, int col) const;
  std::int64_t int64(int row, int col) const;
  // A bytea column's bytes; any other column's text as bytes.
  std::string bytes(int row, int col) const;

 private:
  std::unique_ptr<State> state_;
};

class Connection {
 public:
  // `url`: postgresql://user@host:port/db or any libpq connection string. Throws ConnectionLost
  // when the server cannot be reached.
  explicit Connection(const std::string& url);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // One statement, planned for this call only (PQexecParams).
  Result execute(std::string_view sql, std::span<const Param> params);
  Result execute(std::string_view sql, std::initializer_list<Param> params = {}) {
    return execute(sql, std::span<const Param>(params.begin(), params.size()));
  }
  // The same, prepared once per connection under a name and reused; the parameter types come
  // from the first call, so a statement is always called with the same kinds of values.
  Result prepared(std::string_view sql, std::span<const Param> params);
  Result prepared(std::string_view sql, std::initializer_list<Param> params = {}) {
    return prepared(sql, std::span<const Param>(params.begin(), params.size()));
  }
  std::size_t prepared_count() const;
  // Several `;`-separated statements without parameters (a migration), in one round trip and,
  // outside a transaction block, as one implicit transaction; the last statement's rows.
  Result execute_script(std::string_view sql);

  // False once the connection is known to be gone; an idle connection whose server closed it is
  // noticed without a round trip (an idle connection is sent something only when closed).
  bool usable();
  // Connects again with the same parameters; the server forgot the prepared statements.
  // Throws ConnectionLost when that fails.
  void reset();
  // Inside a transaction block (also one that failed), i.e. BEGIN without COMMIT/ROLLBACK yet.
  bool in_transaction() const;
  int backend_pid() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// `size` connections shared by threads; borrow() lends one for the lifetime of a Lease.
class ConnectionPool {
 public:
  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<Connection> connection)
        : pool_(pool), connection_(std::move(connection)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (connection_) pool_->give_back(std::move(connection_));
    }
    Connection& operator*() const { return *connection_; }
    Connection* operator->() const { return connection_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  // Opens all `size` connections now, so that a wrong URL fails at start.
  ConnectionPool(std::string url, int size,
                 std::chrono::milliseconds borrow_timeout = std::chrono::seconds(10));
  // Waits up to the pool's timeout (or `timeout`) for a free connection; throws PoolTimeout.
  // A connection found lost is reset first (ConnectionLost when the server is still away; the
  // connection stays in the pool for the next borrow).
  Lease borrow();
  Lease borrow(std::chrono::milliseconds timeout);
  // Connections reset because they had been lost, since the start.
  int resets() const;

 private:
  void give_back(std::unique_ptr<Connection> connection) noexcept;

  std::string url_;
  std::chrono::milliseconds borrow_timeout_;
  mutable std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int resets_ = 0;
};

}  // namespace onshi::store::postgres
