// Two requests with one idempotency key at the same moment (a vendor's tool retrying, a double
// click that reaches two nodes) on PostgreSQL, where two write transactions really run side by
// side: each round both calls succeed, one as the application and one as its repeat, and there is
// one row, one mail and one audit entry per round. (On SQLite writers take turns, so the race
// cannot happen there.)
#include <gtest/gtest.h>

#include <latch>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/applications/certificate_applications.hpp"
#include "app/applications/usage_applications.hpp"
#include "app_test_env.hpp"
#include "clinic_fixture.hpp"
#include "postgres/migrations_env.hpp"
#include "support/error_of.hpp"

namespace onshi::app {
namespace {

using onshi::test::error_of;

// Enough rounds that some of them overlap on this 2-core machine (without the fix the usage test
// failed at rounds 0 and 4 of two runs).
constexpr int kRounds = 20;

// What one of the two calls came to: the number it answered with and whether it was the repeat,
// or what went wrong (an exception escaping the use case is what the race produced).
struct Outcome {
  std::string number;
  bool repeated = false;
  std::string failure;
};

// Runs `call` on two threads released together and returns both outcomes. `call` returns a
// Result of FinalizedUsage or SubmittedCertificateApplication (an application and `repeated`).
template <class Call>
std::vector<Outcome> both_at_once(Call call) {
  std::vector<Outcome> out(2);
  std::latch start(2);
  std::vector<std::jthread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      try {
        auto r = call();
        if (r) {
          out[i] = {r->application.number, r->repeated, {}};
        } else {
          out[i].failure = error_of(r).key;
        }
      } catch (const std::exception& e) {
        out[i].failure = std::string("exception: ") + e.what();
      }
    });
  }
  threads.clear();
  return out;
}

void expect_one_and_its_repeat(const std::vector<Outcome>& o, int round) {
  ASSERT_EQ(o[0].failure, "") << "round " << round;
  ASSERT_EQ(o[1].failure, "") << "round " << round;
  EXPECT_EQ(o[0].number, o[1].number) << "round " << round;
  EXPECT_NE(o[0].repeated, o[1].repeated) << "round " << round << ": one of them is the repeat";
}

class KeyedRaceTest : public store::postgres::testing::FreshDatabaseTest {
 protected:
  void SetUp() override {
    FreshDatabaseTest::SetUp();
    if (HasFatalFailure()) return;
    env = std::make_unique<test::TestEnv>(db_url());
    user = test::logged_in_clinic(env->services);
  }
  void TearDown() override {
    env.reset();  // its connections, before the database is dropped
    FreshDatabaseTest::TearDown();
  }
  std::size_t audit_count(const std::string& prefix) {
    return env->db->read([&](store::ReadTx& tx) {
      store::AuditFilter f;
      f.action_prefix = prefix;
      f.limit = 1000;
      return tx.audit().audit_entries(f).size();
    });
  }

  std::unique_ptr<test::TestEnv> env;
  std::optional<SessionUser> user;
};

TEST_F(KeyedRaceTest, OneKeySentTwiceAtOnceIsOneUsageApplication) {
  std::string latest;
  for (int round = 0; round < kRounds; ++round) {
    auto form = test::usage_form(std::to_string(round + 1), "usage-" + std::to_string(round));
    form.changes = latest;  // the first application, then a change of the latest each round
    const auto o =
        both_at_once([&] { return finalize_usage_application(env->services, *user, form); });
    expect_one_and_its_repeat(o, round);
    if (HasFatalFailure()) return;
    latest = o[0].number;
  }
  EXPECT_EQ(usage_history(env->services, user->institution.id).size(), std::size_t{kRounds});
  EXPECT_EQ(env->pending_mail(), kRounds);
  EXPECT_EQ(audit_count("usage_application."), std::size_t{kRounds});
}

TEST_F(KeyedRaceTest, OneKeySentTwiceAtOnceIsOneCertificateApplication) {
  ASSERT_TRUE(finalize_usage_application(env->services, *user, test::usage_form()).has_value());
  for (int round = 0; round < kRounds; ++round) {
    const auto form = test::certificate_form("1", "cert-" + std::to_string(round));
    const auto o =
        both_at_once([&] { return submit_certificate_application(env->services, *user, form); });
    expect_one_and_its_repeat(o, round);
    if (HasFatalFailure()) return;
  }
  const auto rows = env->db->read([&](store::ReadTx& tx) {
    return tx.certificate_applications().certificate_applications_of(user->institution.id);
  });
  EXPECT_EQ(rows.size(), std::size_t{kRounds});
  EXPECT_EQ(env->pending_mail(), kRounds + 1);
  EXPECT_EQ(audit_count("certificate_application.apply"), std::size_t{kRounds});
}

}  // namespace
}  // namespace onshi::app
