// The housekeeping `onshi serve` runs: the lapsed pickups closed by the sweep once the re-download
// days are over on the settable clock (the key destroyed, once), a failing job that does not stop
// the others, and the thread that runs the jobs at start and then every period.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>

#include "app/ca/issuance.hpp"
#include "app/ca/pickup.hpp"
#include "app/core/housekeeping.hpp"
#include "back_office_fixture.hpp"
#include "support/error_of.hpp"

namespace onshi::app {
namespace {

using namespace std::chrono;
using onshi::test::error_of;

class HousekeepingTest : public test::BackOfficeTest {
 protected:
  // One certificate issued (a generated key) and downloaded once, now.
  std::string issue_and_download() {
    const auto number = apply("1", "hk");
    EXPECT_TRUE(decide(env.services, reviewer, number, Decision::approve, "").has_value());
    EXPECT_TRUE(issue_application(env.services, issuer, number, {}).has_value());
    std::string issuance, code;
    env.db->read([&](store::ReadTx& tx) {
      const auto a = tx.certificate_applications().find_certificate_application_by_number(number);
      const auto c = tx.certificates().certificates_of_application(a->id).at(0);
      issuance = c.issuance_number;
      code = *ca->unseal(*c.sealed_pickup_code);
    });
    auto grant = open_pickup(env.services, {issuance, code, "192.0.2.10"});
    EXPECT_TRUE(grant.has_value()) << error_of(grant).key;
    EXPECT_TRUE(download_chain(env.services, *grant, ChainFormat::pem, "192.0.2.10").has_value());
    codes[issuance] = code;
    return issuance;
  }

  store::CertificateRecord current(const std::string& number) {
    return *env.db->read(
        [&](store::ReadTx& tx) { return tx.certificates().find_current_certificate(number); });
  }

  std::map<std::string, std::string> codes;
};

TEST_F(HousekeepingTest, TheSweepClosesPickupsWhoseReDownloadDaysAreOver) {
  const auto number = issue_and_download();
  Housekeeping h(env.services, {{"lapsed pickup(s) closed", close_lapsed_pickups}});
  EXPECT_EQ(h.run_once(), std::vector<int>{0}) << "inside the re-download days";
  EXPECT_TRUE(current(number).sealed_key.has_value());

  env.clock.advance(days{env.config.pickup_redownload_days} - minutes{1});
  EXPECT_EQ(h.run_once(), std::vector<int>{0}) << "a minute before the end";
  env.clock.advance(minutes{2});
  EXPECT_EQ(h.run_once(), std::vector<int>{1});
  const auto closed = current(number);
  EXPECT_FALSE(closed.sealed_key.has_value()) << "the key is destroyed by the sweep";
  EXPECT_EQ(closed.pickup_closed_how, store::PickupClosed::lapsed);
  EXPECT_EQ(h.run_once(), std::vector<int>{0}) << "closed once";

  const auto again = open_pickup(env.services, {number, codes[number], "192.0.2.10"});
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(error_of(again).key, "pickup.closed");
  const auto audit = env.db->read([&](store::ReadTx& tx) {
    store::AuditFilter f;
    f.subject = number;
    f.action_prefix = "certificate.pickup_lapsed";
    return tx.audit().audit_entries(f);
  });
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].actor, "system");
}

TEST_F(HousekeepingTest, AFailingJobDoesNotStopTheOthers) {
  const auto number = issue_and_download();
  env.clock.advance(days{env.config.pickup_redownload_days} + minutes{1});
  Housekeeping h(env.services,
                 {{"things broken", [](const Services&) -> int { throw std::runtime_error("x"); }},
                  {"lapsed pickup(s) closed", close_lapsed_pickups}});
  EXPECT_EQ(h.run_once(), (std::vector<int>{0, 1}));
  EXPECT_FALSE(current(number).sealed_key.has_value());
}

TEST_F(HousekeepingTest, TheThreadRunsAtStartAndThenEveryPeriodUntilStopped) {
  std::atomic<int> runs{0};
  Housekeeping h(env.services, {{"runs", [&](const Services&) { return ++runs; }}},
                 milliseconds{20});
  h.start();
  for (int i = 0; i < 500 && runs < 3; ++i) std::this_thread::sleep_for(milliseconds{10});
  h.stop();
  EXPECT_GE(runs.load(), 3);
  const int stopped_at = runs;
  std::this_thread::sleep_for(milliseconds{60});
  EXPECT_EQ(runs.load(), stopped_at) << "nothing runs after stop";

  // A long period: the first run happens at start, the next not before the period.
  std::atomic<int> once{0};
  Housekeeping slow(env.services, {{"runs", [&](const Services&) { return ++once; }}}, hours{1});
  slow.start();
  for (int i = 0; i < 500 && once < 1; ++i) std::this_thread::sleep_for(milliseconds{10});
  std::this_thread::sleep_for(milliseconds{50});
  slow.stop();  // wakes the wait at once
  EXPECT_EQ(once.load(), 1);
}

}  // namespace
}  // namespace onshi::app
