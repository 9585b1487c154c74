// The store contract, the scheduler's job leases: a job is held by one node at a time until its
// lease runs out, renewed by its holder, taken over once it ran out, given up on release; and of
// nodes claiming one job at once, exactly one gets it.
#include <atomic>
#include <string>
#include <vector>

#include "contract_env.hpp"

namespace onshi::store::contract {
namespace {

class ContractJobs : public StoreContract {
 protected:
  bool claim(const std::string& job, const std::string& holder, Millis now, Millis until) {
    return db().write(
        [&](WriteTx& tx) { return tx.jobs().try_claim_job(job, holder, now, until); });
  }
  bool release(const std::string& job, const std::string& holder) {
    return db().write([&](WriteTx& tx) { return tx.jobs().release_job(job, holder); });
  }
  std::optional<JobLease> lease(const std::string& job) {
    return db().read([&](ReadTx& tx) { return tx.jobs().job_lease(job); });
  }
};

std::string first_of(const std::vector<std::string>& failures) {
  return failures.empty() ? std::string() : failures.front();
}

TEST_P(ContractJobs, AJobNobodyHoldsIsClaimedAndItsLeaseRecorded) {
  EXPECT_FALSE(lease("crl").has_value());
  ASSERT_TRUE(claim("crl", "node-a", 1000, 4000));
  const auto l = lease("crl");
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->name, "crl");
  EXPECT_EQ(l->holder, "node-a");
  EXPECT_EQ(l->lease_until, 4000);
  EXPECT_EQ(l->claimed_at, 1000);
  EXPECT_EQ(l->renewed_at, 1000);
}

TEST_P(ContractJobs, AnotherHolderIsRefusedWhileTheLeaseRuns) {
  ASSERT_TRUE(claim("crl", "node-a", 1000, 4000));
  EXPECT_FALSE(claim("crl", "node-b", 1000, 5000));
  EXPECT_FALSE(claim("crl", "node-b", 3999, 6999)) << "a millisecond before it runs out";
  const auto l = lease("crl");
  EXPECT_EQ(l->holder, "node-a") << "a refused claim changes nothing";
  EXPECT_EQ(l->lease_until, 4000);
  EXPECT_EQ(l->renewed_at, 1000);
}

TEST_P(ContractJobs, AHolderRenewsItsOwnLeaseKeepingWhenItTookIt) {
  ASSERT_TRUE(claim("crl", "node-a", 1000, 4000));
  ASSERT_TRUE(claim("crl", "node-a", 2000, 5000)) << "before it runs out";
  auto l = lease("crl");
  EXPECT_EQ(l->lease_until, 5000);
  EXPECT_EQ(l->claimed_at, 1000);
  EXPECT_EQ(l->renewed_at, 2000);
  EXPECT_FALSE(claim("crl", "node-b", 4500, 7500)) << "the renewed lease still runs";
  ASSERT_TRUE(claim("crl", "node-a", 9000, 12000)) << "after it ran out, nobody having taken it";
  l = lease("crl");
  EXPECT_EQ(l->holder, "node-a");
  EXPECT_EQ(l->lease_until, 12000);
  EXPECT_EQ(l->claimed_at, 1000);
}

TEST_P(ContractJobs, ALeaseThatRanOutIsTakenOverByAnotherHolder) {
  ASSERT_TRUE(claim("crl", "node-a", 1000, 4000));
  ASSERT_TRUE(claim("crl", "node-b", 4000, 7000)) << "at the end of node-a's lease";
  const auto l = lease("crl");
  EXPECT_EQ(l->holder, "node-b");
  EXPECT_EQ(l->lease_until, 7000);
  EXPECT_EQ(l->claimed_at, 4000) << "a takeover starts the holding again";
  EXPECT_EQ(l->renewed_at, 4000);
  EXPECT_FALSE(claim("crl", "node-a", 4001, 7001)) << "the node that lost it is refused";
  EXPECT_FALSE(release("crl", "node-a")) << "nor can it give up what it no longer holds";
  EXPECT_EQ(lease("crl")->holder, "node-b");
}

TEST_P(ContractJobs, ReleaseGivesTheJobUpAtOnce) {
  ASSERT_TRUE(claim("crl", "node-a", 1000, 4000));
  EXPECT_FALSE(release("crl", "node-b"));
  EXPECT_EQ(lease("crl")->holder, "node-a");
  EXPECT_TRUE(release("crl", "node-a"));
  EXPECT_FALSE(lease("crl").has_value());
  EXPECT_FALSE(release("crl", "node-a")) << "once";
  EXPECT_TRUE(claim("crl", "node-b", 1001, 4001)) << "well before node-a's lease would have ended";
  EXPECT_EQ(lease("crl")->holder, "node-b");
}

TEST_P(ContractJobs, EachJobHasALeaseOfItsOwn) {
  ASSERT_TRUE(claim("crl", "node-a", 1000, 4000));
  EXPECT_TRUE(claim("ocsp", "node-b", 1000, 4000));
  EXPECT_TRUE(release("crl", "node-a"));
  EXPECT_EQ(lease("ocsp")->holder, "node-b");
}

TEST_P(ContractJobs, OfNodesClaimingOneJobAtOnceExactlyOneGetsIt) {
  constexpr int kNodes = 8;
  constexpr int kJobs = 10;
  // Nodes claim the jobs in the same order, so that they collide on each; then again once every
  // lease ran out, where each claim is a takeover.
  std::vector<std::string> first_winners(kJobs);
  for (const Millis now : {Millis{1000}, Millis{10'000}}) {
    SCOPED_TRACE(now);
    std::vector<std::vector<char>> won(kNodes, std::vector<char>(kJobs, 0));
    const auto failures = run_together(kNodes, [&](int n) {
      const std::string holder = "node-" + std::to_string(n);
      for (int j = 0; j < kJobs; ++j) {
        won[static_cast<std::size_t>(n)][static_cast<std::size_t>(j)] =
            claim("job-" + std::to_string(j), holder, now, now + 5000);
      }
    });
    EXPECT_TRUE(failures.empty()) << first_of(failures);
    for (int j = 0; j < kJobs; ++j) {
      int winners = 0;
      std::string winner;
      for (int n = 0; n < kNodes; ++n) {
        if (won[static_cast<std::size_t>(n)][static_cast<std::size_t>(j)]) {
          ++winners;
          winner = "node-" + std::to_string(n);
        }
      }
      EXPECT_EQ(winners, 1) << "job-" << j;
      const auto l = lease("job-" + std::to_string(j));
      ASSERT_TRUE(l.has_value());
      EXPECT_EQ(l->holder, winner) << "job-" << j;
      // The first round's winner may win again: a renewal of its own lease, not a takeover.
      const auto j_index = static_cast<std::size_t>(j);
      EXPECT_EQ(l->claimed_at, winner == first_winners[j_index] ? Millis{1000} : now)
          << "job-" << j;
      if (first_winners[j_index].empty()) first_winners[j_index] = winner;
    }
  }
}

TEST_P(ContractJobs, AHolderRenewingWhileOthersClaimKeepsItsJob) {
  constexpr int kNodes = 6;
  constexpr int kRounds = 20;
  ASSERT_TRUE(claim("crl", "node-0", 0, 1'000'000));
  std::atomic<int> stolen = 0;
  std::atomic<int> renewals_refused = 0;
  const auto failures = run_together(kNodes, [&](int n) {
    const std::string holder = "node-" + std::to_string(n);
    for (int r = 1; r <= kRounds; ++r) {
      const bool got = claim("crl", holder, r, 1'000'000 + r);
      if (n == 0 && !got) ++renewals_refused;
      if (n != 0 && got) ++stolen;
    }
  });
  EXPECT_TRUE(failures.empty()) << first_of(failures);
  EXPECT_EQ(stolen.load(), 0);
  EXPECT_EQ(renewals_refused.load(), 0);
  EXPECT_EQ(lease("crl")->holder, "node-0");
  EXPECT_EQ(lease("crl")->claimed_at, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, ContractJobs, ::testing::ValuesIn(backends()), backend_name);

}  // namespace
}  // namespace onshi::store::contract
