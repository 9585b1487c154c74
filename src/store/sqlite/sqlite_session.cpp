#include "store/sqlite/sqlite_session.hpp"

#include <fmt/format.h>

namespace onshi::store::sqlite {
namespace {

class SqliteCursor final : public sql::Cursor {
 public:
  SqliteCursor(Connection& c, std::string_view sql) : db_(c.handle()), s_(c.prepare(sql)) {}

  bool next() override {
    if (done_) return false;
    if (s_.step()) return true;
    done_ = true;
    changes_ = sqlite3_changes64(db_);
    return false;
  }
  bool is_null(int col) const override { return s_.is_null(col); }
  std::int64_t int64(int col) const override { return s_.int64(col); }
  std::string text(int col) const override { return s_.text(col); }
  std::string blob(int col) const override { return s_.blob(col); }
  std::int64_t affected() const override { return changes_; }

  Statement& statement() { return s_; }
  bool writes() const { return s_.writes(); }

 private:
  sqlite3* db_;
  Statement s_;
  bool done_ = false;
  std::int64_t changes_ = 0;
};

}  // namespace

std::unique_ptr<sql::Cursor> SqliteSession::execute(std::string_view sql,
                                                    std::span<const sql::Value> params) {
  auto cursor = std::make_unique<SqliteCursor>(c_, sql);
  // A read session refuses a statement that would write before it runs. This stands in for PRAGMA
  // query_only, which cannot be switched per transaction: every flag pragma expires all of the
  // connection's prepared statements, and each read then parsed its SQL again (a quarter of
  // マイページ's time under load).
  if (access_ == Access::read_only && cursor->writes())
    throw SqliteError(SQLITE_READONLY,
                      fmt::format("sqlite: a read transaction cannot run '{}'", sql.substr(0, 80)));
  Statement& s = cursor->statement();
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i + 1);
    const sql::Value& v = params[i];
    if (const auto* n = std::get_if<std::int64_t>(&v)) {
      s.bind(index, *n);
    } else if (const auto* t = std::get_if<std::string>(&v)) {
      s.bind(index, std::string_view(*t));
    } else if (const auto* b = std::get_if<sql::BlobValue>(&v)) {
      s.bind(index, Blob{b->bytes});
    } else {
      s.bind_null(index);
    }
  }
  return cursor;
}

}  // namespace onshi::store::sqlite
