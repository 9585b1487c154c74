#include "store/postgres/postgres_session.hpp"

#include <mutex>
#include <shared_mutex>
#include <unordered_map>

namespace onshi::store::postgres {
namespace {

class PostgresCursor final : public sql::Cursor {
 public:
  explicit PostgresCursor(Result r) : r_(std::move(r)) {}

  bool next() override { return ++row_ < r_.rows(); }
  bool is_null(int col) const override { return r_.is_null(row_, col); }
  std::int64_t int64(int col) const override {
    if (r_.is_null(row_, col)) return 0;  // as sqlite3_column_int64 reads NULL
    // A comparison in a select list is a boolean here and 0 or 1 in SQLite.
    const std::string t = r_.text(row_, col);
    if (t == "t") return 1;
    if (t == "f") return 0;
    return r_.int64(row_, col);
  }
  std::string text(int col) const override { return r_.text(row_, col); }
  std::string blob(int col) const override { return r_.bytes(row_, col); }
  std::int64_t affected() const override { return r_.affected(); }

 private:
  Result r_;
  int row_ = -1;
};

// The repositories' statements are a fixed set: each is numbered once per process.
const std::string& numbered(std::string_view sql) {
  static std::shared_mutex mutex;
  static std::unordered_map<std::string, std::string> cache;
  const std::string key(sql);
  {
    std::shared_lock lock(mutex);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
  }
  std::unique_lock lock(mutex);
  return cache.try_emplace(key, sql::numbered_placeholders(sql)).first->second;
}

}  // namespace

std::unique_ptr<sql::Cursor> PostgresSession::execute(std::string_view sql,
                                                      std::span<const sql::Value> params) {
  std::vector<Param> p;
  p.reserve(params.size());
  for (const sql::Value& v : params) {
    if (const auto* n = std::get_if<std::int64_t>(&v)) {
      p.emplace_back(*n);
    } else if (const auto* t = std::get_if<std::string>(&v)) {
      p.emplace_back(std::string_view(*t));
    } else if (const auto* b = std::get_if<sql::BlobValue>(&v)) {
      p.emplace_back(Bytes{b->bytes});
    } else {
      p.emplace_back(Null{});
    }
  }
  return std::make_unique<PostgresCursor>(c_.prepared(numbered(sql), p));
}

}  // namespace onshi::store::postgres
