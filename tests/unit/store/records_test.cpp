// Tokens, sessions, login throttling (accounts and operators) and the mail outbox.
#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <numeric>
#include <thread>
#include <utility>

#include "store_test_env.hpp"

namespace onshi::store {
namespace {

class RecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GT(tmp.db().migrate(), 0);
    tmp.db().write([&](WriteTx& tx) {
      const Id inst = tx.accounts().insert_institution("1310123455", "テスト医院", 0);
      alice = tx.accounts().insert_account(account(inst, "a@example.jp"));
      bob = tx.accounts().insert_account(account(inst, "b@example.jp"));
    });
  }

  static Account account(Id institution_id, std::string key) {
    Account a;
    a.institution_id = institution_id;
    a.email = key;
    a.email_key = std::move(key);
    a.password_hash = "h";
    return a;
  }

  template <typename F>
  auto in_write(F f) {
    return tmp.db().write(f);
  }

  std::vector<OutboxMail> due(Millis now, int limit = 100) {
    return in_write([&](WriteTx& tx) { return tx.outbox().due_mail(now, limit); });
  }
  std::int64_t pending() {
    return in_write([](WriteTx& tx) { return tx.outbox().pending_mail_count(); });
  }

  test::TempDb tmp;
  Id alice = 0;
  Id bob = 0;
};

TEST_F(RecordsTest, LiveTokenRespectsKindExpiryAndUse) {
  tmp.db().write([&](WriteTx& tx) {
    tx.tokens().insert_token(TokenKind::verify_email, "h1", alice, 1000, 10);
  });
  tmp.db().write([&](WriteTx& tx) {
    const auto t = tx.tokens().find_live_token(TokenKind::verify_email, "h1", 999);
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->account_id, alice);
    EXPECT_EQ(t->expires_at, 1000);
    EXPECT_FALSE(tx.tokens().find_live_token(TokenKind::verify_email, "h1", 1000).has_value());
    EXPECT_FALSE(tx.tokens().find_live_token(TokenKind::reset_password, "h1", 999).has_value());
    EXPECT_FALSE(tx.tokens().find_live_token(TokenKind::verify_email, "h2", 999).has_value());
    tx.tokens().mark_token_used(t->id, 500);
    EXPECT_FALSE(tx.tokens().find_live_token(TokenKind::verify_email, "h1", 600).has_value());
  });
}

TEST_F(RecordsTest, DuplicateTokenHashIsAUniqueViolation) {
  tmp.db().write([&](WriteTx& tx) {
    tx.tokens().insert_token(TokenKind::verify_email, "h1", alice, 1000, 10);
  });
  EXPECT_THROW(tmp.db().write([&](WriteTx& tx) {
    tx.tokens().insert_token(TokenKind::reset_password, "h1", bob, 1000, 10);
  }),
               UniqueViolation);
}

TEST_F(RecordsTest, ExpireTokensTouchesOnlyThatKindAndAccount) {
  tmp.db().write([&](WriteTx& tx) {
    tx.tokens().insert_token(TokenKind::reset_password, "r1", alice, 1000, 10);
    tx.tokens().insert_token(TokenKind::reset_password, "r2", alice, 1000, 10);
    tx.tokens().insert_token(TokenKind::verify_email, "v1", alice, 1000, 10);
    tx.tokens().insert_token(TokenKind::reset_password, "rb", bob, 1000, 10);
    tx.tokens().expire_tokens(TokenKind::reset_password, alice, 20);
  });
  tmp.db().read([&](ReadTx& tx) {
    EXPECT_FALSE(tx.tokens().find_live_token(TokenKind::reset_password, "r1", 30).has_value());
    EXPECT_FALSE(tx.tokens().find_live_token(TokenKind::reset_password, "r2", 30).has_value());
    EXPECT_TRUE(tx.tokens().find_live_token(TokenKind::verify_email, "v1", 30).has_value());
    EXPECT_TRUE(tx.tokens().find_live_token(TokenKind::reset_password, "rb", 30).has_value());
  });
}

TEST_F(RecordsTest, SessionsInsertFindTouchDelete) {
  tmp.db().write([&](WriteTx& tx) { tx.sessions().insert_session({"s1", alice, 100, 100}); });
  tmp.db().write([&](WriteTx& tx) {
    const auto s = tx.sessions().find_session("s1");
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->account_id, alice);
    EXPECT_EQ(s->created_at, 100);
    EXPECT_EQ(s->last_seen_at, 100);
    tx.sessions().touch_session("s1", 250);
    EXPECT_EQ(tx.sessions().find_session("s1")->last_seen_at, 250);
    EXPECT_EQ(tx.sessions().find_session("s1")->created_at, 100);
    EXPECT_FALSE(tx.sessions().find_session("s2").has_value());
    tx.sessions().delete_session("s1");
    EXPECT_FALSE(tx.sessions().find_session("s1").has_value());
  });
  EXPECT_THROW(tmp.db().write([&](WriteTx& tx) {
    tx.sessions().insert_session({"s3", alice, 1, 1});
    tx.sessions().insert_session({"s3", bob, 1, 1});
  }),
               UniqueViolation);
}

TEST_F(RecordsTest, DeleteSessionsOfKeepsTheExceptionAndOtherAccounts) {
  tmp.db().write([&](WriteTx& tx) {
    for (const char* id : {"a1", "a2", "a3"}) tx.sessions().insert_session({id, alice, 1, 1});
    tx.sessions().insert_session({"b1", bob, 1, 1});
    tx.sessions().delete_sessions_of(alice, "a2");
  });
  tmp.db().write([&](WriteTx& tx) {
    EXPECT_FALSE(tx.sessions().find_session("a1").has_value());
    EXPECT_TRUE(tx.sessions().find_session("a2").has_value());
    EXPECT_FALSE(tx.sessions().find_session("a3").has_value());
    EXPECT_TRUE(tx.sessions().find_session("b1").has_value());
    tx.sessions().delete_sessions_of(alice, "");
    EXPECT_FALSE(tx.sessions().find_session("a2").has_value());
    EXPECT_TRUE(tx.sessions().find_session("b1").has_value());
  });
}

TEST_F(RecordsTest, DeleteSessionsIdleSince) {
  tmp.db().write([&](WriteTx& tx) {
    tx.sessions().insert_session({"idle", alice, 500, 100});
    tx.sessions().insert_session({"old", alice, 50, 900});
    tx.sessions().insert_session({"fresh", alice, 500, 900});
    tx.sessions().delete_sessions_idle_since(200, 100);
  });
  tmp.db().read([&](ReadTx& tx) {
    EXPECT_FALSE(tx.sessions().find_session("idle").has_value());
    EXPECT_FALSE(tx.sessions().find_session("old").has_value());
    EXPECT_TRUE(tx.sessions().find_session("fresh").has_value());
  });
}

TEST_F(RecordsTest, LoginAttemptsAreCountedAndRefusedWhileLocked) {
  tmp.db().write([&](WriteTx& tx) {
    EXPECT_EQ(tx.tokens().login_throttle("x@example.jp").failures, 0);
    EXPECT_EQ(tx.tokens().count_login_attempt("x@example.jp", 1000), 1);
    EXPECT_EQ(tx.tokens().count_login_attempt("x@example.jp", 1000), 2);
    EXPECT_EQ(tx.tokens().count_login_attempt("y@example.jp", 1000), 1);
    tx.tokens().lock_login("x@example.jp", 9000);
    tx.tokens().lock_login("x@example.jp", 5000);  // a lock is never shortened
  });
  tmp.db().write([&](WriteTx& tx) {
    EXPECT_EQ(tx.tokens().login_throttle("x@example.jp").locked_until, 9000);
    EXPECT_FALSE(tx.tokens().count_login_attempt("x@example.jp", 8999).has_value());
    EXPECT_EQ(tx.tokens().login_throttle("x@example.jp").failures, 2)
        << "a refused attempt is not counted";
    EXPECT_EQ(tx.tokens().count_login_attempt("x@example.jp", 9000), 3);
    tx.tokens().clear_login_throttle("x@example.jp");
    EXPECT_EQ(tx.tokens().login_throttle("x@example.jp").failures, 0);
    EXPECT_EQ(tx.tokens().login_throttle("x@example.jp").locked_until, 0);
    EXPECT_EQ(tx.tokens().login_throttle("y@example.jp").failures, 1);
  });
}

// Each attempt gets its own number however many run at once: the count is read and written by one
// statement, never read in one and written in another.
TEST_F(RecordsTest, ParallelLoginAttemptsEachGetTheirOwnNumber) {
  constexpr int kThreads = 8;
  constexpr int kEach = 25;
  std::vector<int> seen;
  std::mutex m;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        const int n = in_write(
            [](WriteTx& tx) { return *tx.tokens().count_login_attempt("p@example.jp", 0); });
        std::lock_guard lock(m);
        seen.push_back(n);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::sort(seen.begin(), seen.end());
  std::vector<int> expected(kThreads * kEach);
  std::iota(expected.begin(), expected.end(), 1);
  EXPECT_EQ(seen, expected);
}

TEST_F(RecordsTest, OperatorLoginAttemptsAreCountedAndRefusedWhileLocked) {
  Operator o;
  o.login = "rev";
  o.display_name = "審査 太郎";
  o.role = domain::Role::reviewer;
  o.password_hash = "h";
  o.totp_secret = "s";
  const Id id = in_write([&](WriteTx& tx) { return tx.operators().insert_operator(o); });
  tmp.db().write([&](WriteTx& tx) {
    EXPECT_EQ(tx.operators().count_operator_login_attempt(id, 100), 1);
    EXPECT_EQ(tx.operators().count_operator_login_attempt(id, 100), 2);
    tx.operators().lock_operator(id, 500);
    tx.operators().lock_operator(id, 200);
    EXPECT_FALSE(tx.operators().count_operator_login_attempt(id, 499).has_value());
    EXPECT_EQ(tx.operators().find_operator(id)->failures, 2);
    EXPECT_EQ(tx.operators().find_operator(id)->locked_until, 500);
    EXPECT_EQ(tx.operators().count_operator_login_attempt(id, 500), 3);
    tx.operators().clear_operator_throttle(id);
    EXPECT_EQ(tx.operators().find_operator(id)->failures, 0);
    EXPECT_EQ(tx.operators().find_operator(id)->locked_until, 0);
    EXPECT_FALSE(tx.operators().count_operator_login_attempt(id + 100, 0).has_value())
        << "no such operator";
  });
}

TEST_F(RecordsTest, OutboxLifecycle) {
  const Id id = in_write([](WriteTx& tx) {
    return tx.outbox().enqueue_mail({"to@x.jp", "件名", "本文"}, "<m1@x>", 1000);
  });
  EXPECT_EQ(pending(), 1);
  EXPECT_TRUE(due(999).empty());
  auto mails = due(1000);
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].id, id);
  EXPECT_EQ(mails[0].to, "to@x.jp");
  EXPECT_EQ(mails[0].subject, "件名");
  EXPECT_EQ(mails[0].body, "本文");
  EXPECT_EQ(mails[0].message_id, "<m1@x>");
  EXPECT_EQ(mails[0].attempts, 0);
  EXPECT_EQ(mails[0].created_at, 1000);

  // A lease hides it from other workers until it runs out.
  tmp.db().write([&](WriteTx& tx) { tx.outbox().postpone_mail(id, 5000); });
  EXPECT_TRUE(due(4999).empty());
  EXPECT_EQ(due(5000).size(), 1u);

  tmp.db().write(
      [&](WriteTx& tx) { tx.outbox().mark_mail_failed(id, 1, 7000, "connection refused"); });
  EXPECT_TRUE(due(6999).empty());
  mails = due(7000);
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].attempts, 1);
  EXPECT_EQ(pending(), 1);

  tmp.db().write([&](WriteTx& tx) { tx.outbox().mark_mail_sent(id, 7100); });
  EXPECT_TRUE(due(1'000'000'000).empty());
  EXPECT_EQ(pending(), 0);
  // A lease on a sent mail does not bring it back.
  tmp.db().write([&](WriteTx& tx) { tx.outbox().postpone_mail(id, 0); });
  EXPECT_TRUE(due(1'000'000'000).empty());
}

// The probe read working reset links from sent mail in a copy of the database.
TEST_F(RecordsTest, ASentMailWithASecretKeepsItsRecordButNotItsBody) {
  const Id secret = in_write([](WriteTx& tx) {
    return tx.outbox().enqueue_mail(
        {"to@x.jp", "再設定", "https://p/password/reset?token=abc", true}, "<s1@x>", 1000);
  });
  const Id plain = in_write([](WriteTx& tx) {
    return tx.outbox().enqueue_mail({"to@x.jp", "受付", "本文"}, "<p1@x>", 1000);
  });
  const auto mails = due(1000);
  ASSERT_EQ(mails.size(), 2u);
  EXPECT_EQ(mails[0].body, "https://p/password/reset?token=abc") << "the worker still sends it";
  tmp.db().write([&](WriteTx& tx) {
    tx.outbox().mark_mail_sent(secret, 2000);
    tx.outbox().mark_mail_sent(plain, 2000);
  });
  const auto rows = test::run_sql(
      tmp.path(), "SELECT id, recipient, subject, message_id, body FROM outbox ORDER BY id");
  EXPECT_TRUE(rows.ok) << rows.output;
  EXPECT_EQ(rows.output, std::to_string(secret) + "|to@x.jp|再設定|<s1@x>|\n" +
                             std::to_string(plain) + "|to@x.jp|受付|<p1@x>|本文\n");
}

TEST_F(RecordsTest, DueMailIsOrderedAndLimited) {
  const Id first = in_write([](WriteTx& tx) {
    return tx.outbox().enqueue_mail({"a", "s", "b"}, "<1@x>", 300);
  });
  const Id second = in_write([](WriteTx& tx) {
    return tx.outbox().enqueue_mail({"b", "s", "b"}, "<2@x>", 100);
  });
  const Id third = in_write([](WriteTx& tx) {
    return tx.outbox().enqueue_mail({"c", "s", "b"}, "<3@x>", 100);
  });
  const auto all = due(1000);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, second);
  EXPECT_EQ(all[1].id, third);
  EXPECT_EQ(all[2].id, first);
  const auto two = due(1000, 2);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[1].id, third);
  EXPECT_EQ(pending(), 3);
}

TEST_F(RecordsTest, DuplicateMessageIdIsAUniqueViolation) {
  tmp.db().write([&](WriteTx& tx) { tx.outbox().enqueue_mail({"a", "s", "b"}, "<same@x>", 1); });
  EXPECT_THROW(tmp.db().write([&](WriteTx& tx) {
    tx.outbox().enqueue_mail({"b", "s", "b"}, "<same@x>", 1);
  }),
               UniqueViolation);
  EXPECT_EQ(pending(), 1);
}

TEST_F(RecordsTest, CertificatesOfAnInstitutionWithNoneIsEmpty) {
  tmp.db().read([&](ReadTx& tx) { EXPECT_TRUE(tx.certificates().certificates_of(1).empty()); });
}

}  // namespace
}  // namespace onshi::store
