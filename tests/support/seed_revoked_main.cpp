// onshi_test_seed_revoked DATABASE_URL TEMPLATE_SERIAL COUNT: stores COUNT revoked copies of the
// certificate TEMPLATE_SERIAL in one transaction (seed_revoked.hpp), for the integration test of
// a CRL of 100,000 entries; prints how many it stored.
#include <chrono>
#include <cstdio>
#include <exception>
#include <string>

#include "support/seed_revoked.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s DATABASE_URL TEMPLATE_SERIAL COUNT\n", argv[0]);
    return 2;
  }
  try {
    auto db = onshi::store::open_database(argv[1], 1);
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    const int stored = onshi::test::seed_revoked(*db, argv[2], std::stoi(argv[3]), now);
    std::printf("%d\n", stored);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
