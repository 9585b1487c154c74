#pragma once
// The SQL both engines run: a statement with `?` or `?N` placeholders, bound values, and rows read
// by column. The repositories (store/sql/*.cpp) are written once on this; each engine supplies a
// Session (SQLite runs the text as it is, PostgreSQL numbers the placeholders $N). Internal to
// store/, and free of either engine's header.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace onshi::store::sql {

enum class Engine { sqlite, postgresql };

// Binds bytes as a BLOB / bytea rather than text (DER certificates).
struct Blob {
  std::string_view bytes;
};
struct BlobValue {
  std::string bytes;
};
using Value = std::variant<std::monostate, std::int64_t, std::string, BlobValue>;

// The rows of one executed statement.
class Cursor {
 public:
  virtual ~Cursor() = default;
  virtual bool next() = 0;
  virtual bool is_null(int col) const = 0;
  virtual std::int64_t int64(int col) const = 0;
  virtual std::string text(int col) const = 0;
  virtual std::string blob(int col) const = 0;
  // Rows an INSERT, UPDATE or DELETE changed; read once the rows are all read.
  virtual std::int64_t affected() const = 0;
};

class Statement;

// One connection inside one transaction.
class Session {
 public:
  virtual ~Session() = default;
  virtual Engine engine() const = 0;
  // Runs `sql` with `params` (index 0 is placeholder 1). Throws UniqueViolation,
  // TransientConflict, DatabaseUnavailable (store/database.hpp) or the engine's own error.
  virtual std::unique_ptr<Cursor> execute(std::string_view sql, std::span<const Value> params) = 0;
  Statement prepare(std::string_view sql);
};

// A statement being bound and then stepped through; it runs at the first step().
class Statement {
 public:
  Statement(Session& session, std::string_view sql) : session_(session), sql_(sql) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t v) { return set(index, Value(v)); }
  Statement& bind(int index, int v) { return bind(index, static_cast<std::int64_t>(v)); }
  Statement& bind(int index, std::string_view v) { return set(index, Value(std::string(v))); }
  Statement& bind(int index, const std::string& v) { return set(index, Value(v)); }
  Statement& bind(int index, const char* v) { return bind(index, std::string_view(v)); }
  Statement& bind(int index, std::optional<std::int64_t> v) {
    return v ? bind(index, *v) : bind_null(index);
  }
  Statement& bind(int index, const std::optional<std::string>& v) {
    return v ? bind(index, std::string_view(*v)) : bind_null(index);
  }
  Statement& bind(int index, const Blob& v) {
    return set(index, Value(BlobValue{std::string(v.bytes)}));
  }
  Statement& bind_null(int index) { return set(index, Value()); }

  template <typename... Args>
  Statement& bind_all(const Args&... args) {
    int i = 0;
    (bind(++i, args), ...);
    return *this;
  }

  // Advances to the next row; false when done.
  bool step();
  // Runs a statement to its end; returns the rows it changed.
  std::int64_t run();
  // Runs an INSERT ... RETURNING id and returns the id.
  std::int64_t inserted_id();

  std::int64_t int64(int col) const { return cursor_->int64(col); }
  int integer(int col) const { return static_cast<int>(cursor_->int64(col)); }
  std::string text(int col) const { return cursor_->text(col); }
  std::optional<std::int64_t> optional_int64(int col) const;
  std::optional<std::string> optional_text(int col) const;
  std::string blob(int col) const { return cursor_->blob(col); }
  bool is_null(int col) const { return cursor_->is_null(col); }

 private:
  Statement& set(int index, Value v);

  Session& session_;
  std::string sql_;
  std::vector<Value> params_;
  std::unique_ptr<Cursor> cursor_;
};

inline Statement Session::prepare(std::string_view sql) {
  return Statement(*this, sql);
}

// `?` and `?N` as PostgreSQL's `$N` (SQLite's numbering: a bare `?` is one more than the largest
// number so far), outside string literals, quoted names and comments.
std::string numbered_placeholders(std::string_view sql);

}  // namespace onshi::store::sql
