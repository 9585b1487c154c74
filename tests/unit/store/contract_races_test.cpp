// The store contract, part 5: the atomic operations under real concurrency. Every worker is its
// own thread with its own transactions through the same Database (a pool of 4 or more
// connections), released together; the promises must hold however the engine interleaves them.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <latch>
#include <mutex>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "contract_env.hpp"

namespace onshi::store::contract {
namespace {

class ContractRaces : public StoreContract {};

std::string first_of(const std::vector<std::string>& failures) {
  return failures.empty() ? std::string() : failures.front();
}

TEST_P(ContractRaces, EveryDueMailIsClaimedByExactlyOneWorker) {
  constexpr int kMails = 50;
  constexpr Millis kLease = 1'000'000'000'000;  // never runs out during the test
  for (const int workers : {2, 8}) {
    SCOPED_TRACE(workers);
    const Millis now = 1000 * workers;
    auto enqueued = db().write([&](WriteTx& tx) {
      std::vector<Id> ids;
      for (int i = 0; i < kMails; ++i) {
        std::string message_id = "<";
        message_id.append(std::to_string(workers))
            .append(".")
            .append(std::to_string(i))
            .append("@x>");
        ids.push_back(tx.outbox().enqueue_mail({"to@x.jp", "s", "b"}, message_id, now));
      }
      return ids;
    });
    std::vector<std::vector<Id>> claimed(static_cast<std::size_t>(workers));
    const auto failures = run_together(workers, [&](int w) {
      // Bounded, so that a claim that hides nothing fails the test instead of hanging it.
      for (int round = 0; round <= kMails; ++round) {
        const auto mails =
            db().write([&](WriteTx& tx) { return tx.outbox().claim_due_mail(now, 3, kLease); });
        if (mails.empty()) return;
        for (const auto& m : mails) claimed[static_cast<std::size_t>(w)].push_back(m.id);
      }
    });
    EXPECT_TRUE(failures.empty()) << first_of(failures);
    std::vector<Id> all;
    for (const auto& c : claimed) all.insert(all.end(), c.begin(), c.end());
    std::sort(all.begin(), all.end());
    std::sort(enqueued.begin(), enqueued.end());
    EXPECT_EQ(all, enqueued) << "each mail once, none twice, none left";
    EXPECT_TRUE(db().read([&](ReadTx& tx) { return tx.outbox().due_mail(now, 100); }).empty());
    EXPECT_EQ(db().read([](ReadTx& tx) { return tx.outbox().pending_mail_count(); }),
              kMails * (workers == 2 ? 1 : 2));
  }
}

// Two nodes' workers claiming while the other's claim is still open. PostgreSQL runs their
// transactions side by side: the second skips the mails the first locked and takes others
// without waiting for it; SQLite's second writer waits for the first to commit.
TEST_P(ContractRaces, AClaimStillOpenIsSkippedByTheNextWorkerNotTakenTwice) {
  constexpr int kMails = 6;
  constexpr Millis kNow = 1000;
  constexpr Millis kLease = 1'000'000'000'000;
  const bool parallel_writers = GetParam().name == "PostgreSQL";
  auto enqueued = db().write([&](WriteTx& tx) {
    std::vector<Id> ids;
    for (int i = 0; i < kMails; ++i) {
      ids.push_back(tx.outbox().enqueue_mail({"to@x.jp", "s", "b"},
                                             "<open." + std::to_string(i) + "@x>", kNow));
    }
    return ids;
  });
  std::mutex m;
  std::condition_variable changed;
  bool first_claimed = false;
  bool second_done = false;
  bool second_done_while_first_open = false;
  std::vector<Id> first, second;
  std::string second_failure;
  std::thread other([&] {
    {
      std::unique_lock lock(m);
      changed.wait(lock, [&] { return first_claimed; });
    }
    try {
      const auto mails = db().write(
          [&](WriteTx& tx) { return tx.outbox().claim_due_mail(kNow, kMails / 2, kLease); });
      for (const auto& mail : mails) second.push_back(mail.id);
    } catch (const std::exception& e) {
      second_failure = e.what();
    }
    std::lock_guard lock(m);
    second_done = true;
    changed.notify_all();
  });
  // Database::write may run this more than once (the second claim's commit can make this one's
  // fail on PostgreSQL, SERIALIZABLE): what counts is what the last run claimed.
  const auto mails = db().write([&](WriteTx& tx) {
    auto claimed = tx.outbox().claim_due_mail(kNow, kMails / 2, kLease);
    std::unique_lock lock(m);
    if (!first_claimed) {
      first_claimed = true;
      changed.notify_all();
      // SQLite's second claim cannot start before this commits: no use waiting for it.
      if (parallel_writers) {
        second_done_while_first_open =
            changed.wait_for(lock, std::chrono::seconds(10), [&] { return second_done; });
      }
    }
    return claimed;
  });
  other.join();
  for (const auto& mail : mails) first.push_back(mail.id);
  EXPECT_EQ(second_failure, "");
  if (parallel_writers) {
    EXPECT_TRUE(second_done_while_first_open) << "the second did not wait";
  }
  EXPECT_EQ(first.size(), static_cast<std::size_t>(kMails / 2));
  EXPECT_EQ(second.size(), static_cast<std::size_t>(kMails / 2));
  std::vector<Id> all = first;
  all.insert(all.end(), second.begin(), second.end());
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, enqueued) << "each mail claimed by exactly one of them";
}

TEST_P(ContractRaces, ParallelAppendsKeepOneUnbrokenChain) {
  constexpr int kThreads = 8;
  constexpr int kEach = 10;
  const auto failures = run_together(kThreads, [&](int t) {
    std::string actor = "worker:";
    actor.append(std::to_string(t));
    for (int i = 0; i < kEach; ++i) {
      db().write([&](WriteTx& tx) {
        tx.audit().append_audit({actor, "race.append", std::to_string(i), "{}"}, 1000 + i);
      });
    }
  });
  EXPECT_TRUE(failures.empty()) << first_of(failures);
  const auto all = db().read([](ReadTx& tx) {
    std::vector<AuditRecord> out;
    tx.audit().scan_audit([&](const AuditRecord& e) {
      out.push_back(e);
      return true;
    });
    return out;
  });
  ASSERT_EQ(all.size(), static_cast<std::size_t>(kThreads * kEach)) << "every append is there";
  std::set<std::string> prev_hashes;
  std::vector<int> per_worker(kThreads, 0);
  std::string prev = "genesis";
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& e = all[i];
    EXPECT_EQ(e.seq, static_cast<std::int64_t>(i) + 1) << "consecutive (audit verify)";
    EXPECT_EQ(e.prev_hash, prev) << "entry " << e.seq << " links to the one before it";
    EXPECT_EQ(e.hash, audit_hash(e)) << "entry " << e.seq;
    EXPECT_TRUE(prev_hashes.insert(e.prev_hash).second) << "a fork after " << e.prev_hash;
    prev = e.hash;
    const int worker = std::stoi(e.actor.substr(std::string("worker:").size()));
    ASSERT_GE(worker, 0);
    ASSERT_LT(worker, kThreads);
    ++per_worker[static_cast<std::size_t>(worker)];
  }
  EXPECT_EQ(per_worker, std::vector<int>(kThreads, kEach));
}

TEST_P(ContractRaces, OfStatusChangesFromTheSameStateExactlyOneWins) {
  constexpr int kApplications = 20;
  const Clinic c = clinic("1310123455", "a@example.jp");
  const auto ids = db().write([&](WriteTx& tx) {
    std::vector<Id> out;
    for (int i = 0; i < kApplications; ++i) {
      std::string key = "race-";
      key.append(std::to_string(i));
      out.push_back(tx.certificate_applications()
                        .insert_certificate_application(certificate_application_record(
                            c.institution, c.account, c.usage.id, key))
                        .id);
    }
    return out;
  });
  const std::vector<std::string> targets = {"under_review", "cancelled", "rejected", "approved"};
  const int threads = static_cast<int>(targets.size());
  // One vector per thread (not vector<bool>: its elements share bytes).
  std::vector<std::vector<char>> won(targets.size(), std::vector<char>(ids.size(), 0));
  const auto failures = run_together(threads, [&](int t) {
    const auto& to = targets[static_cast<std::size_t>(t)];
    for (std::size_t i = 0; i < ids.size(); ++i) {
      won[static_cast<std::size_t>(t)][i] = db().write([&](WriteTx& tx) {
        return tx.certificate_applications().set_certificate_application_status(
            ids[i], st("applied"), st(to), "", 5000 + t);
      });
    }
  });
  EXPECT_TRUE(failures.empty()) << first_of(failures);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    int winners = 0;
    std::string winner;
    for (std::size_t t = 0; t < targets.size(); ++t) {
      if (won[t][i]) {
        ++winners;
        winner = targets[t];
      }
    }
    EXPECT_EQ(winners, 1) << "application " << ids[i];
    const auto status = db().read([&](ReadTx& tx) {
      return tx.certificate_applications().find_certificate_application_by_id(ids[i])->status;
    });
    EXPECT_EQ(domain::state_key(status), winner) << "application " << ids[i];
  }
}

TEST_P(ContractRaces, ParallelLoginAttemptsEachGetTheirOwnNumber) {
  constexpr int kThreads = 8;
  constexpr int kEach = 25;
  std::vector<std::vector<int>> seen(kThreads);
  const auto failures = run_together(kThreads, [&](int t) {
    for (int i = 0; i < kEach; ++i) {
      const auto n = db().write(
          [](WriteTx& tx) { return tx.tokens().count_login_attempt("account:p@example.jp", 0); });
      seen[static_cast<std::size_t>(t)].push_back(n.value_or(-1));
    }
  });
  EXPECT_TRUE(failures.empty()) << first_of(failures);
  std::vector<int> all;
  for (const auto& s : seen) all.insert(all.end(), s.begin(), s.end());
  std::sort(all.begin(), all.end());
  std::vector<int> expected(kThreads * kEach);
  std::iota(expected.begin(), expected.end(), 1);
  EXPECT_EQ(all, expected);
  EXPECT_EQ(db().read([](ReadTx& tx) { return tx.tokens().login_throttle("account:p@example.jp"); })
                .failures,
            kThreads * kEach);
}

TEST_P(ContractRaces, OfParallelInsertsOfOneSerialExactlyOneIsStored) {
  constexpr int kThreads = 8;
  const Clinic c = clinic("1310123455", "a@example.jp");
  std::atomic<int> stored = 0;
  const auto failures = run_together(kThreads, [&](int t) {
    std::string number = "C-1-";
    number.append(std::to_string(t));
    const auto cert = certificate_record(c.institution, c.application.id, "ab12", number);
    if (db().write([&](WriteTx& tx) { return tx.certificates().try_insert_certificate(cert); }))
      ++stored;
  });
  EXPECT_TRUE(failures.empty()) << first_of(failures);
  EXPECT_EQ(stored.load(), 1);
  EXPECT_EQ(db().read([&](ReadTx& tx) {
                  return tx.certificates().certificates_of_application(c.application.id);
                })
                .size(),
            1u);
}

TEST_P(ContractRaces, OfParallelRegistrationsOfOneEmailExactlyOneSucceeds) {
  constexpr int kThreads = 8;
  const Id inst = institution("1310123455");
  std::atomic<int> inserted = 0;
  std::atomic<int> refused = 0;
  const auto failures = run_together(kThreads, [&](int) {
    try {
      db().write([&](WriteTx& tx) {
        tx.accounts().insert_account(account_record(inst, "same@example.jp"));
      });
      ++inserted;
    } catch (const UniqueViolation&) {
      ++refused;
    }
  });
  EXPECT_TRUE(failures.empty()) << first_of(failures);
  EXPECT_EQ(inserted.load(), 1);
  EXPECT_EQ(refused.load(), kThreads - 1);
}

// A read is one snapshot: what a writer commits meanwhile is not seen halfway through it.
TEST_P(ContractRaces, AReadSeesOneSnapshotWhileAWriterCommits) {
  db().write([](WriteTx& tx) { tx.settings().put_setting("k", "before"); });
  std::latch read_once(1);
  std::latch written(1);
  std::string writer_failure;
  std::thread writer([&] {
    read_once.wait();
    try {
      db().write([](WriteTx& tx) { tx.settings().put_setting("k", "after"); });
    } catch (const std::exception& e) {
      writer_failure = e.what();
    }
    written.count_down();
  });
  bool released = false;
  std::pair<std::optional<std::string>, std::optional<std::string>> seen;
  try {
    seen = db().read([&](ReadTx& tx) {
      const auto first = tx.settings().setting("k");
      released = true;
      read_once.count_down();
      written.wait();
      return std::make_pair(first, tx.settings().setting("k"));
    });
  } catch (...) {
    if (!released) read_once.count_down();  // so that the writer ends
    writer.join();
    throw;
  }
  writer.join();
  EXPECT_EQ(writer_failure, "") << "a writer is not kept waiting by a reader";
  EXPECT_EQ(seen.first, std::optional<std::string>("before"));
  EXPECT_EQ(seen.second, std::optional<std::string>("before"));
  EXPECT_EQ(db().read([](ReadTx& tx) { return tx.settings().setting("k"); }),
            std::optional<std::string>("after"));
}

INSTANTIATE_TEST_SUITE_P(Backends, ContractRaces, ::testing::ValuesIn(backends()), backend_name);

}  // namespace
}  // namespace onshi::store::contract
