#include "store/postgres/connection.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <poll.h>

#include <charconv>
#include <unordered_map>

namespace onshi::store::postgres {
namespace {

// pg_type.h's OIDs, stable since PostgreSQL 7 (the server header is not installed with libpq).
constexpr Oid bytea_oid = 17;
constexpr Oid int8_oid = 20;

struct ClearResult {
  void operator()(PGresult* r) const { PQclear(r); }
};
struct FinishConnection {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using ResultPtr = std::unique_ptr<PGresult, ClearResult>;

std::string trimmed(const char* message) {
  std::string s = message ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

[[noreturn]] void throw_classified(std::string sqlstate, const std::string& what, bool lost) {
  const bool shutting_down = sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03";
  if (lost || sqlstate.empty() || sqlstate.starts_with("08") || shutting_down)
    throw ConnectionLost(std::move(sqlstate), what);
  if (sqlstate == "40001") throw SerializationFailure(std::move(sqlstate), what);
  if (sqlstate == "40P01") throw Deadlock(std::move(sqlstate), what);
  if (sqlstate == "23505") throw UniqueViolation(std::move(sqlstate), what);
  throw PostgresError(std::move(sqlstate), what);
}

// The result if the statement succeeded; otherwise the error it stands for, thrown.
ResultPtr checked(PGconn* conn, PGresult* raw, std::string_view sql) {
  ResultPtr result(raw);
  const bool lost = PQstatus(conn) == CONNECTION_BAD;
  if (!result) {
    throw_classified("", fmt::format("postgres: '{}': {}", sql, trimmed(PQerrorMessage(conn))),
                     lost);
  }
  const auto status = PQresultStatus(result.get());
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
  const char* state = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
  throw_classified(
      state ? state : "",
      fmt::format("postgres: '{}': {}", sql, trimmed(PQresultErrorMessage(result.get()))), lost);
}

// What PQexecParams and PQexecPrepared take, pointing into `params` and `storage`.
struct Encoded {
  std::vector<std::string> storage;  // the int64 values as text
  std::vector<Oid> types;
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;

  explicit Encoded(std::span<const Param> params) {
    storage.reserve(params.size());
    for (const Param& p : params) {
      if (std::holds_alternative<Null>(p)) {
        types.push_back(0);
        values.push_back(nullptr);
        lengths.push_back(0);
        formats.push_back(0);
      } else if (const auto* text = std::get_if<std::string_view>(&p)) {
        // Text format needs a terminated string (libpq ignores lengths for text parameters).
        storage.emplace_back(*text);
        types.push_back(0);
        values.push_back(storage.back().c_str());
        lengths.push_back(0);
        formats.push_back(0);
      } else if (const auto* number = std::get_if<std::int64_t>(&p)) {
        storage.push_back(std::to_string(*number));
        types.push_back(int8_oid);
        values.push_back(storage.back().c_str());
        lengths.push_back(0);
        formats.push_back(0);
      } else {
        const auto& blob = std::get<Bytes>(p).bytes;
        types.push_back(bytea_oid);
        values.push_back(blob.data());
        lengths.push_back(static_cast<int>(blob.size()));
        formats.push_back(1);
      }
    }
  }
  int count() const { return static_cast<int>(values.size()); }
};

}  // namespace

struct Result::State {
  ResultPtr result;
};

Result::Result(std::unique_ptr<State> state) : state_(std::move(state)) {}
Result::Result(Result&&) noexcept = default;
Result& Result::operator=(Result&&) noexcept = default;
Result::~Result() = default;

int Result::rows() const {
  return PQntuples(state_->result.get());
}
int Result::columns() const {
  return PQnfields(state_->result.get());
}
std::int64_t Result::affected() const {
  const char* n = PQcmdTuples(state_->result.get());
  std::int64_t value = 0;
  std::from_chars(n, n + std::char_traits<char>::length(n), value);
  return value;
}
bool Result::is_null(int row, int col) const {
  return PQgetisnull(state_->result.get(), row, col) == 1;
}
std::string Result::text(int row, int col) const {
  const PGresult* r = state_->result.get();
  return std::string(PQgetvalue(r, row, col), static_cast<std::size_t>(PQgetlength(r, row, col)));
}
std::int64_t Result::int64(int row, int col) const {
  const std::string s = text(row, col);
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (error != std::errc() || end != s.data() + s.size())
    throw PostgresError("", fmt::format("postgres: column {} is no integer: '{}'", col, s));
  return value;
}
std::string Result::bytes(int row, int col) const {
  const PGresult* r = state_->result.get();
  if (PQftype(r, col) != bytea_oid || PQfformat(r, col) == 1) return text(row, col);
  std::size_t length = 0;
  std::unique_ptr<unsigned char, decltype(&PQfreemem)> decoded(
      PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(r, row, col)), &length),
      &PQfreemem);
  if (!decoded) throw PostgresError("", "postgres: out of memory decoding bytea");
  return std::string(reinterpret_cast<const char*>(decoded.get()), length);
}

struct Connection::State {
  std::unique_ptr<PGconn, FinishConnection> conn;
  // SQL text -> the name it was prepared under on this connection.
  std::unordered_map<std::string, std::string> statements;
};

namespace {
[[noreturn]] void throw_connect_error(PGconn* conn) {
  throw ConnectionLost("", fmt::format("postgres: cannot connect: {}",
                                       trimmed(conn ? PQerrorMessage(conn) : "out of memory")));
}
}  // namespace

Connection::Connection(const std::string& url) : state_(std::make_unique<State>()) {
  state_->conn.reset(PQconnectdb(url.c_str()));
  if (!state_->conn || PQstatus(state_->conn.get()) != CONNECTION_OK)
    throw_connect_error(state_->conn.get());
  // libpq would print the server's notices on stderr, past the application's log.
  PQsetNoticeProcessor(
      state_->conn.get(), [](void*, const char*) {}, nullptr);
}

Connection::~Connection() = default;

Result Connection::execute(std::string_view sql, std::span<const Param> params) {
  const Encoded e(params);
  const std::string text(sql);
  PGconn* c = state_->conn.get();
  PGresult* r = PQexecParams(c, text.c_str(), e.count(), e.types.data(), e.values.data(),
                             e.lengths.data(), e.formats.data(), 0);
  return Result(std::make_unique<Result::State>(checked(c, r, sql)));
}

Result Connection::prepared(std::string_view sql, std::span<const Param> params) {
  const Encoded e(params);
  PGconn* c = state_->conn.get();
  std::string key(sql);
  auto it = state_->statements.find(key);
  if (it == state_->statements.end()) {
    std::string name = fmt::format("onshi_{}", state_->statements.size() + 1);
    checked(c, PQprepare(c, name.c_str(), key.c_str(), e.count(), e.types.data()), sql);
    it = state_->statements.emplace(std::move(key), std::move(name)).first;
  }
  PGresult* r = PQexecPrepared(c, it->second.c_str(), e.count(), e.values.data(), e.lengths.data(),
                               e.formats.data(), 0);
  return Result(std::make_unique<Result::State>(checked(c, r, sql)));
}

Result Connection::execute_script(std::string_view sql) {
  PGconn* c = state_->conn.get();
  const std::string text(sql);
  return Result(std::make_unique<Result::State>(checked(c, PQexec(c, text.c_str()), sql)));
}

std::size_t Connection::prepared_count() const {
  return state_->statements.size();
}

bool Connection::usable() {
  PGconn* c = state_->conn.get();
  if (PQstatus(c) != CONNECTION_OK) return false;
  // An idle connection is sent nothing unless the server is closing it (pg_terminate_backend, a
  // shutdown): its FATAL message may arrive before the close, so anything readable means lost.
  pollfd p{PQsocket(c), POLLIN, 0};
  if (::poll(&p, 1, 0) != 0) return false;
  return PQtransactionStatus(c) != PQTRANS_UNKNOWN;
}

void Connection::reset() {
  state_->statements.clear();
  PQreset(state_->conn.get());
  if (PQstatus(state_->conn.get()) != CONNECTION_OK) throw_connect_error(state_->conn.get());
}

bool Connection::in_transaction() const {
  const auto s = PQtransactionStatus(state_->conn.get());
  return s == PQTRANS_INTRANS || s == PQTRANS_INERROR || s == PQTRANS_ACTIVE;
}

int Connection::backend_pid() const {
  return PQbackendPID(state_->conn.get());
}

}  // namespace onshi::store::postgres
