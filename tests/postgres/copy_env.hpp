#pragma once
// `onshi db copy`'s tests (store/copy.hpp): an SQLite source made through the repositories (the
// contract suite's fixture, on SQLite), a PostgreSQL database of its own per test on the server
// the environment names (postgres_env.hpp), and the two compared row for row.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "postgres/postgres_env.hpp"
#include "store/copy.hpp"
#include "store/copy_parts.hpp"
#include "unit/store/contract_env.hpp"

namespace onshi::store::copy::testing {

using contract::StoreContract;

// `url` with its database name replaced by `name`.
inline std::string with_database(const std::string& url, const std::string& name) {
  const std::size_t host = url.find("://");
  const std::size_t slash = url.find('/', host == std::string::npos ? 0 : host + 3);
  if (slash == std::string::npos) return url + "/" + name;
  const std::size_t end = url.find('?', slash);
  return url.substr(0, slash + 1) + name + (end == std::string::npos ? "" : url.substr(end));
}

// A value as expect_same_rows compares it (GCC 12 warns wrongly of "V" + std::string).
inline std::string value(std::string_view v) {
  std::string out;
  out.reserve(v.size() + 1);
  out.push_back('V');
  out.append(v);
  return out;
}

class DbCopy : public StoreContract {
 public:
  // What the source (SQLite) made, for the tests that read it back.
  struct Seeded {
    Clinic a;
    Clinic b;
    Id change = 0;  // a's change application (changes_id refers to a.usage)
    Id op = 0;
    std::string der;  // certificate 1's DER: every byte value, 0x00 and 0xff among them
    std::string serial;
    std::string revoked_serial;
    std::int64_t crl_number = 0;
    std::string crl_der;
  };

 protected:
  void SetUp() override {
    StoreContract::SetUp();
    server_ = postgres::testing::server_url();
    ASSERT_FALSE(server_.empty()) << "no PostgreSQL: see tests/postgres/postgres_env.hpp";
    target_ = make_database();
  }
  void TearDown() override {
    for (const auto& name : databases_) {
      try {
        postgres::Connection c(server_);
        c.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      } catch (...) {
      }
    }
    StoreContract::TearDown();
  }

  // A new, empty database on the test server; dropped after the test.
  std::string make_database() {
    std::string name = "copy_";
    for (const char c : util::random_token(9)) {
      name.push_back(std::isalnum(static_cast<unsigned char>(c))
                         ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                         : '_');
    }
    postgres::Connection(server_).execute("CREATE DATABASE " + name);
    databases_.push_back(name);
    return with_database(server_, name);
  }

  const std::string& target() const { return target_; }
  std::string source() const { return database_url(); }
  std::string source_path() const { return source().substr(std::string("sqlite:").size()); }

  std::expected<CopyReport, CopyError> copy(const CopyOptions& o = {}) {
    return copy_database(source(), target_, o);
  }
  std::int64_t target_count(const std::string& table) {
    postgres::Connection c(target_);
    return c.execute("SELECT count(*) FROM " + table).int64(0, 0);
  }
  int target_version() { return open_database(target_, 1)->schema_version(); }

  // Each table's rows on both sides, every value as "N" (NULL) or "V" and its text or bytes,
  // sorted: the same when the copy holds every row and value of the source.
  void expect_same_rows(const std::string& target_url) {
    SqliteSource source_side(source_path());
    postgres::Connection pg(target_url);
    int tables = 0;
    for (const auto& t : source_side.tables()) {
      std::vector<std::vector<std::string>> expected;
      source_side.scan(t, [&](std::vector<Cell>& row) {
        auto& out = expected.emplace_back();
        for (const auto& cell : row) {
          if (cell.kind == Cell::Kind::null) {
            out.push_back("N");
          } else if (cell.kind == Cell::Kind::integer) {
            out.push_back(value(std::to_string(cell.integer)));
          } else {
            out.push_back(value(cell.bytes));
          }
        }
      });
      std::string columns;
      for (const auto& c : t.columns)
        columns.append(columns.empty() ? "" : ", ").append(identifier(c));
      const auto r = pg.execute("SELECT " + columns + " FROM " + identifier(t.name));
      std::vector<std::vector<std::string>> actual;
      for (int row = 0; row < r.rows(); ++row) {
        auto& out = actual.emplace_back();
        for (int col = 0; col < r.columns(); ++col)
          out.push_back(r.is_null(row, col) ? "N" : value(r.bytes(row, col)));
      }
      std::sort(expected.begin(), expected.end());
      std::sort(actual.begin(), actual.end());
      EXPECT_EQ(actual.size(), expected.size()) << t.name;
      EXPECT_TRUE(actual == expected) << t.name << " differs";
      ++tables;
    }
    EXPECT_GT(tables, 20);
  }

  // Rows in most tables, made through the repositories.
  Seeded populate();

 private:
  std::string server_;
  std::string target_;
  std::vector<std::string> databases_;
};

}  // namespace onshi::store::copy::testing
