// onshi_test_seed_revoked DATABASE_URL TEMPLATE_SERIAL COUNT: stores COUNT revoked copies of the
// certificate TEMPLATE_SERIAL (seed_revoked.hpp), for the integration test of a CRL of 100,000
// entries; prints how many it stored.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <string>

#include "support/seed_revoked.hpp"

namespace {

bool is_postgres(const std::string& url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

// On PostgreSQL, a transaction of many revocations costs time in the square of their number: each
// one's trigger adds a version of the one ocsp_epoch row, and none of them can be pruned before the
// commit, so the next revocation reads them all. A few thousand a transaction stay cheap; SQLite
// stores them all in one.
constexpr int kPostgresBatch = 2000;

// Each statement is prepared once per connection: PostgreSQL's generic plan of it, made while the
// table held a few rows, scans the table whole, and nothing replans it before autovacuum's ANALYZE.
// Planning each execution keeps the indexes in use while the table grows.
std::string planned_each_time(const std::string& url) {
  if (!is_postgres(url)) return url;
  return url + (url.find('?') == std::string::npos ? "?" : "&") +
         "options=-c%20plan_cache_mode%3Dforce_custom_plan";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s DATABASE_URL TEMPLATE_SERIAL COUNT\n", argv[0]);
    return 2;
  }
  try {
    const std::string url = argv[1];
    auto db = onshi::store::open_database(planned_each_time(url), 1);
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    const int count = std::stoi(argv[3]);
    const int batch = is_postgres(url) ? kPostgresBatch : std::max(count, 1);
    int stored = 0;
    for (int first = 0; first < count; first += batch)
      stored += onshi::test::seed_revoked(*db, argv[2], std::min(batch, count - first), now, first);
    std::printf("%d\n", stored);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
