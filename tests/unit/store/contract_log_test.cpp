// The store contract, part 4: the mail outbox and the audit log.
#include <algorithm>
#include <string>
#include <vector>

#include "contract_env.hpp"

namespace onshi::store::contract {
namespace {

class ContractOutbox : public StoreContract {
 protected:
  Id enqueue(const NewMail& m, const std::string& message_id, Millis now) {
    return db().write([&](WriteTx& tx) { return tx.outbox().enqueue_mail(m, message_id, now); });
  }
  std::vector<OutboxMail> due(Millis now, int limit = 100) {
    return db().read([&](ReadTx& tx) { return tx.outbox().due_mail(now, limit); });
  }
  std::vector<OutboxMail> claim(Millis now, Millis lease_until, int limit = 100) {
    return db().write(
        [&](WriteTx& tx) { return tx.outbox().claim_due_mail(now, limit, lease_until); });
  }
  std::int64_t pending() {
    return db().read([](ReadTx& tx) { return tx.outbox().pending_mail_count(); });
  }
  static std::vector<Id> ids(const std::vector<OutboxMail>& mails) {
    std::vector<Id> out;
    for (const auto& m : mails) out.push_back(m.id);
    return out;
  }
  // The contract does not order what a claim returns.
  static std::vector<Id> sorted(std::vector<Id> v) {
    std::sort(v.begin(), v.end());
    return v;
  }
};

TEST_P(ContractOutbox, EnqueuedMailIsDueFromItsCreation) {
  const Id id = enqueue({"to@x.jp", "件名", "本文"}, "<m1@x>", 1000);
  EXPECT_EQ(pending(), 1);
  EXPECT_TRUE(due(999).empty());
  const auto mails = due(1000);
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].id, id);
  EXPECT_EQ(mails[0].to, "to@x.jp");
  EXPECT_EQ(mails[0].subject, "件名");
  EXPECT_EQ(mails[0].body, "本文");
  EXPECT_EQ(mails[0].message_id, "<m1@x>");
  EXPECT_EQ(mails[0].attempts, 0);
  EXPECT_EQ(mails[0].created_at, 1000);
  EXPECT_EQ(due(1000).size(), 1u) << "due_mail takes nothing";
  EXPECT_THROW(enqueue({"b@x.jp", "s", "b"}, "<m1@x>", 1000), UniqueViolation);
  EXPECT_EQ(pending(), 1);
}

TEST_P(ContractOutbox, ClaimingTakesTheDueMailInOrderUntilTheLeaseRunsOut) {
  const Id late = enqueue({"a", "s", "b"}, "<1@x>", 300);
  const Id early = enqueue({"b", "s", "b"}, "<2@x>", 100);
  const Id early_too = enqueue({"c", "s", "b"}, "<3@x>", 100);
  EXPECT_EQ(ids(due(1000)), (std::vector<Id>{early, early_too, late}));
  EXPECT_EQ(ids(due(1000, 2)), (std::vector<Id>{early, early_too}));

  const auto first = claim(1000, 5000, 2);
  EXPECT_EQ(sorted(ids(first)), sorted({early, early_too})) << "the first due, up to the limit";
  ASSERT_EQ(first.size(), 2u);
  for (const auto& m : first) {
    if (m.id != early) continue;
    EXPECT_EQ(m.to, "b");
    EXPECT_EQ(m.subject, "s");
    EXPECT_EQ(m.message_id, "<2@x>");
    EXPECT_EQ(m.created_at, 100);
  }
  EXPECT_EQ(ids(claim(1000, 5000)), std::vector<Id>{late}) << "the claimed ones are hidden";
  EXPECT_TRUE(claim(4999, 9000).empty());
  EXPECT_TRUE(due(4999).empty());
  EXPECT_EQ(pending(), 3) << "claimed is not sent";
  const auto again = claim(5000, 9000);
  EXPECT_EQ(sorted(ids(again)), sorted({early, early_too, late})) << "leases ran out";
  for (const auto& m : again) EXPECT_EQ(m.attempts, 0) << "a claim is no attempt";
}

TEST_P(ContractOutbox, PostponeFailAndSend) {
  const Id id = enqueue({"to@x.jp", "件名", "本文"}, "<m1@x>", 1000);
  ASSERT_EQ(claim(1000, 2000).size(), 1u);
  db().write([&](WriteTx& tx) { tx.outbox().postpone_mail(id, 5000); });
  EXPECT_TRUE(due(4999).empty());
  EXPECT_EQ(due(5000).size(), 1u);
  db().write([&](WriteTx& tx) { tx.outbox().mark_mail_failed(id, 1, 7000, "connection refused"); });
  EXPECT_TRUE(due(6999).empty());
  const auto retry = due(7000);
  ASSERT_EQ(retry.size(), 1u);
  EXPECT_EQ(retry[0].attempts, 1);
  EXPECT_EQ(pending(), 1);
  db().write([&](WriteTx& tx) { tx.outbox().mark_mail_sent(id, 7100); });
  EXPECT_EQ(pending(), 0);
  EXPECT_TRUE(due(1'000'000'000).empty());
  EXPECT_TRUE(claim(1'000'000'000, 1'000'000'001).empty());
  db().write([&](WriteTx& tx) { tx.outbox().postpone_mail(id, 0); });
  EXPECT_TRUE(due(1'000'000'000).empty()) << "a sent mail does not come back";
}

// No reader shows a sent mail, so this one looks behind the repositories (Backend::url).
TEST_P(ContractOutbox, SendingBlanksTheBodyOfAMailThatAsksForIt) {
  const Id secret =
      enqueue({"to@x.jp", "再設定", "https://p/password/reset?token=abc", true}, "<s1@x>", 1000);
  const Id plain = enqueue({"to@x.jp", "受付", "本文"}, "<p1@x>", 1000);
  const auto claimed = claim(1000, 2000);
  ASSERT_EQ(claimed.size(), 2u);
  for (const auto& m : claimed) {
    if (m.id == secret) {
      EXPECT_EQ(m.body, "https://p/password/reset?token=abc") << "still sent";
    }
  }
  db().write([&](WriteTx& tx) {
    tx.outbox().mark_mail_sent(secret, 2000);
    tx.outbox().mark_mail_sent(plain, 2000);
  });
  const std::vector<std::vector<std::string>> want = {
      {std::to_string(secret), "to@x.jp", "再設定", "<s1@x>", ""},
      {std::to_string(plain), "to@x.jp", "受付", "<p1@x>", "本文"}};
  EXPECT_EQ(raw_rows("SELECT id, recipient, subject, message_id, body FROM outbox ORDER BY id"),
            want);
}

class ContractAudit : public StoreContract {
 protected:
  std::vector<AuditRecord> scan() {
    return db().read([](ReadTx& tx) {
      std::vector<AuditRecord> out;
      tx.audit().scan_audit([&](const AuditRecord& e) {
        out.push_back(e);
        return true;
      });
      return out;
    });
  }
};

TEST_P(ContractAudit, AppendsAreScannedInOrderAsAHashChain) {
  const AuditEntry entries[] = {
      {"cli", "account.create", "1310123455", R"({"email":"a@b.jp"})"},
      {"account:1", "login", "a@b.jp", "{}"},
      {"operator:3", "application.approve", "C-00000001", "{\"note\":\"改行\\nあり\"}"}};
  Millis now = 5000;
  for (const auto& e : entries) {
    db().write([&](WriteTx& tx) { tx.audit().append_audit(e, now); });
    ++now;
  }
  const auto all = scan();
  ASSERT_EQ(all.size(), 3u);
  std::string prev = "genesis";
  for (std::size_t i = 0; i < all.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(all[i].seq, static_cast<std::int64_t>(i) + 1) << "consecutive from 1 (audit verify)";
    EXPECT_EQ(all[i].at, 5000 + static_cast<Millis>(i));
    EXPECT_EQ(all[i].actor, entries[i].actor);
    EXPECT_EQ(all[i].action, entries[i].action);
    EXPECT_EQ(all[i].subject, entries[i].subject);
    EXPECT_EQ(all[i].detail, entries[i].detail);
    EXPECT_EQ(all[i].prev_hash, prev);
    EXPECT_EQ(all[i].hash, audit_hash(all[i]));
    prev = all[i].hash;
  }
  int visited = 0;
  db().read([&](ReadTx& tx) {
    tx.audit().scan_audit([&](const AuditRecord&) {
      ++visited;
      return false;
    });
  });
  EXPECT_EQ(visited, 1) << "the scan stops when told";
}

TEST_P(ContractAudit, EntriesAreFilteredNewestFirst) {
  const AuditEntry entries[] = {{"operator:3", "application.approve", "C-00000001", "{}"},
                                {"operator:3", "letter.print", "C-00000001", "{}"},
                                {"operator:4", "application.return", "C-00000002", "{}"},
                                {"cli", "operator.create", "rev", "{}"}};
  Millis now = 1000;
  for (const auto& e : entries) {
    db().write([&](WriteTx& tx) { tx.audit().append_audit(e, now); });
    now += 1000;
  }
  const auto seqs = [&](const std::function<void(AuditFilter&)>& set = {}) {
    AuditFilter f;
    if (set) set(f);
    std::vector<std::int64_t> out;
    for (const auto& e : db().read([&](ReadTx& tx) { return tx.audit().audit_entries(f); }))
      out.push_back(e.seq);
    return out;
  };
  EXPECT_EQ(seqs(), (std::vector<std::int64_t>{4, 3, 2, 1}));
  EXPECT_EQ(seqs([](AuditFilter& f) { f.actor = "operator:3"; }),
            (std::vector<std::int64_t>{2, 1}));
  EXPECT_EQ(seqs([](AuditFilter& f) { f.action_prefix = "application."; }),
            (std::vector<std::int64_t>{3, 1}));
  EXPECT_EQ(seqs([](AuditFilter& f) { f.subject = "C-00000001"; }),
            (std::vector<std::int64_t>{2, 1}));
  EXPECT_EQ(seqs([](AuditFilter& f) {
              f.from = 2000;
              f.to = 4000;
            }),
            (std::vector<std::int64_t>{3, 2}))
      << "from inclusive, to exclusive";
  EXPECT_EQ(seqs([](AuditFilter& f) { f.before_seq = 3; }), (std::vector<std::int64_t>{2, 1}));
  EXPECT_EQ(seqs([](AuditFilter& f) { f.limit = 2; }), (std::vector<std::int64_t>{4, 3}));
  EXPECT_TRUE(seqs([](AuditFilter& f) { f.actor = "operator:9"; }).empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, ContractOutbox, ::testing::ValuesIn(backends()), backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, ContractAudit, ::testing::ValuesIn(backends()), backend_name);

}  // namespace
}  // namespace onshi::store::contract
