// The housekeeping `onshi serve` runs: the lapsed pickups closed by the sweep once the re-download
// days are over on the settable clock (the key destroyed, once), a failing job that does not stop
// the others, the thread that runs the jobs at start and then every period, and the leased jobs
// that nodes on one database run once between them.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <optional>
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

// Two nodes on one database, as two Housekeepings of their own node ids.
class HousekeepingLeaseTest : public HousekeepingTest {
 protected:
  static constexpr minutes kPeriod{5};
  Housekeeping node(const std::string& id, std::atomic<int>& runs,
                    const std::string& lease = "test.job") {
    return Housekeeping(env.services,
                        {{"runs",
                          [&runs](const Services&) {
                            ++runs;
                            return 0;
                          },
                          lease}},
                        kPeriod, id);
  }
  std::optional<store::JobLease> lease(const std::string& name = "test.job") {
    return env.db->read([&](store::ReadTx& tx) { return tx.jobs().job_lease(name); });
  }
};

TEST_F(HousekeepingLeaseTest, ALeasedJobRunsOnTheNodeHoldingItsLeaseOnly) {
  std::atomic<int> on_a{0}, on_b{0};
  auto a = node("node-a", on_a);
  auto b = node("node-b", on_b);
  for (int i = 0; i < 3; ++i) {
    a.run_once();
    b.run_once();
  }
  EXPECT_EQ(on_a.load(), 3);
  EXPECT_EQ(on_b.load(), 0);
  const auto l = lease();
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->holder, "node-a");
  EXPECT_EQ(l->lease_until,
            env.services.now_ms() + duration_cast<milliseconds>(kPeriod * kLeasePeriods).count());
}

TEST_F(HousekeepingLeaseTest, ANodeThatStopsRunningLosesItsJobOnceTheLeaseRanOut) {
  std::atomic<int> on_a{0}, on_b{0};
  auto a = node("node-a", on_a);
  auto b = node("node-b", on_b);
  a.run_once();
  // node-a is gone (no stop: a crash, the network): its lease runs out by itself.
  env.clock.advance(kPeriod * kLeasePeriods - milliseconds{1});
  b.run_once();
  EXPECT_EQ(on_b.load(), 0) << "a millisecond before the lease ran out";
  env.clock.advance(milliseconds{1});
  b.run_once();
  EXPECT_EQ(on_b.load(), 1);
  EXPECT_EQ(lease()->holder, "node-b");
  a.run_once();
  EXPECT_EQ(on_a.load(), 1) << "node-a, back, leaves it to node-b";
  b.run_once();
  EXPECT_EQ(on_b.load(), 2);
}

TEST_F(HousekeepingLeaseTest, StopGivesTheLeasesUpForAnotherNodeToTakeAtOnce) {
  std::atomic<int> on_a{0}, on_b{0};
  auto b = node("node-b", on_b);
  {
    auto a = node("node-a", on_a);
    a.run_once();
    b.run_once();
    EXPECT_EQ(on_b.load(), 0);
    a.stop();
    EXPECT_FALSE(lease().has_value());
  }
  b.run_once();
  EXPECT_EQ(on_b.load(), 1) << "without waiting for node-a's lease";
  EXPECT_EQ(lease()->holder, "node-b");
}

TEST_F(HousekeepingLeaseTest, AJobWithoutALeaseRunsOnEveryNodeAndEachLeaseIsItsOwn) {
  std::atomic<int> on_a{0}, on_b{0}, other{0};
  auto a = node("node-a", on_a, "");
  auto b = node("node-b", on_b, "");
  auto c = node("node-b", other, "test.other");
  auto d = node("node-a", on_a, "test.job");
  a.run_once();
  b.run_once();
  d.run_once();
  c.run_once();
  EXPECT_EQ(on_a.load(), 2);
  EXPECT_EQ(on_b.load(), 1);
  EXPECT_EQ(other.load(), 1) << "test.job held by node-a leaves test.other free";
  EXPECT_FALSE(env.db->read([](store::ReadTx& tx) { return tx.jobs().job_lease(""); }));
}

TEST(NodeId, IsTheHostThePidAndARandomPartTheSameAllAlong) {
  const std::string& id = node_id();
  EXPECT_EQ(std::count(id.begin(), id.end(), ':'), 2) << id;
  EXPECT_NE(id.find(":" + std::to_string(getpid()) + ":"), std::string::npos) << id;
  EXPECT_EQ(&node_id(), &id);
}

}  // namespace
}  // namespace onshi::app
