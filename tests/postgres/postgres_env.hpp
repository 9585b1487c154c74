#pragma once
// Where the PostgreSQL tests find their server: ONSHI_TEST_POSTGRES_URL, or the file named by
// ONSHI_TEST_POSTGRES_URL_FILE (CTest's fixture writes it: scripts/pg-cluster start). Neither set,
// or the server away, is a failure: these tests never skip.
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

#include "store/postgres/connection.hpp"
#include "util/secrets.hpp"

namespace onshi::store::postgres::testing {

inline std::string server_url() {
  if (const char* url = std::getenv("ONSHI_TEST_POSTGRES_URL"); url && *url) return url;
  if (const char* file = std::getenv("ONSHI_TEST_POSTGRES_URL_FILE"); file && *file) {
    std::ifstream in(file);
    std::string url;
    std::getline(in, url);
    return url;
  }
  return {};
}

class PostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = server_url();
    ASSERT_FALSE(url_.empty()) << "no PostgreSQL for the tests: set ONSHI_TEST_POSTGRES_URL or "
                                  "run them through CTest (scripts/pg-cluster)";
    // Tests run side by side on one server: each gets tables of its own.
    table_ = std::string("t_").append(util::random_token(6));
    for (auto& c : table_) {
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
  }
  void TearDown() override {
    if (url_.empty()) return;
    try {
      Connection c(url_);
      c.execute("DROP TABLE IF EXISTS " + table_);
    } catch (...) {
    }
  }

  const std::string& url() const { return url_; }
  // A name for this test's table (an identifier, never a value).
  const std::string& table() const { return table_; }

  // True once the server has no backend `pid` any more (pg_terminate_backend only signals it).
  static bool wait_gone(Connection& c, int pid) {
    for (int i = 0; i < 200; ++i) {
      if (c.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", {std::int64_t{pid}})
              .int64(0, 0) == 0)
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

 private:
  std::string url_;
  std::string table_;
};

}  // namespace onshi::store::postgres::testing
