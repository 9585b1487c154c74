// The store contract, part 2: the portal's sessions, tokens and login throttle, and the back
// office's operators and their sessions.
#include <optional>
#include <string>

#include "contract_env.hpp"

namespace onshi::store::contract {
namespace {

class ContractAuth : public StoreContract {
 protected:
  void SetUp() override {
    StoreContract::SetUp();
    if (HasFatalFailure()) return;
    const Id inst = institution("1310123455");
    alice = account(inst, "a@example.jp");
    bob = account(inst, "b@example.jp");
  }
  Id alice = 0;
  Id bob = 0;
};

TEST_P(ContractAuth, SessionsInsertFindTouchDelete) {
  db().write([&](WriteTx& tx) { tx.sessions().insert_session({"s1", alice, 100, 100}); });
  auto s = db().read([](ReadTx& tx) { return tx.sessions().find_session("s1"); });
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->id_hash, "s1");
  EXPECT_EQ(s->account_id, alice);
  EXPECT_EQ(s->created_at, 100);
  EXPECT_EQ(s->last_seen_at, 100);
  db().write([](WriteTx& tx) { tx.sessions().touch_session("s1", 250); });
  s = db().read([](ReadTx& tx) { return tx.sessions().find_session("s1"); });
  EXPECT_EQ(s->last_seen_at, 250);
  EXPECT_EQ(s->created_at, 100);
  EXPECT_FALSE(db().read([](ReadTx& tx) { return tx.sessions().find_session("s2"); }));
  EXPECT_THROW(db().write([&](WriteTx& tx) {
    tx.sessions().insert_session({"s1", bob, 300, 300});
  }),
               UniqueViolation);
  db().write([](WriteTx& tx) { tx.sessions().delete_session("s1"); });
  EXPECT_FALSE(db().read([](ReadTx& tx) { return tx.sessions().find_session("s1"); }));
}

TEST_P(ContractAuth, DeleteSessionsOfKeepsTheExceptionAndOtherAccounts) {
  db().write([&](WriteTx& tx) {
    for (const char* id : {"a1", "a2", "a3"}) tx.sessions().insert_session({id, alice, 1, 1});
    tx.sessions().insert_session({"b1", bob, 1, 1});
    tx.sessions().delete_sessions_of(alice, "a2");
  });
  const auto present = [&](const char* id) {
    return db().read([&](ReadTx& tx) { return tx.sessions().find_session(id).has_value(); });
  };
  EXPECT_FALSE(present("a1"));
  EXPECT_TRUE(present("a2"));
  EXPECT_FALSE(present("a3"));
  EXPECT_TRUE(present("b1"));
  db().write([&](WriteTx& tx) { tx.sessions().delete_sessions_of(alice, ""); });
  EXPECT_FALSE(present("a2"));
  EXPECT_TRUE(present("b1"));
  db().write([&](WriteTx& tx) {
    tx.sessions().insert_session({"idle", alice, 500, 100});
    tx.sessions().insert_session({"old", alice, 50, 900});
    tx.sessions().insert_session({"fresh", alice, 500, 900});
    tx.sessions().delete_sessions_idle_since(200, 100);
  });
  EXPECT_FALSE(present("idle"));
  EXPECT_FALSE(present("old"));
  EXPECT_TRUE(present("fresh"));
}

TEST_P(ContractAuth, ASingleUseTokenIsLiveUntilUsedOrExpired) {
  db().write([&](WriteTx& tx) {
    tx.tokens().insert_token(TokenKind::verify_email, "h1", alice, 1000, 10);
    tx.tokens().insert_token(TokenKind::reset_password, "r1", alice, 1000, 10);
    tx.tokens().insert_token(TokenKind::reset_password, "rb", bob, 1000, 10);
  });
  const auto live = [&](TokenKind k, const char* hash, Millis now) {
    return db().read([&](ReadTx& tx) { return tx.tokens().find_live_token(k, hash, now); });
  };
  const auto t = live(TokenKind::verify_email, "h1", 999);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->account_id, alice);
  EXPECT_EQ(t->expires_at, 1000);
  EXPECT_FALSE(live(TokenKind::verify_email, "h1", 1000)) << "expired at its expiry";
  EXPECT_FALSE(live(TokenKind::reset_password, "h1", 999)) << "another kind";
  EXPECT_FALSE(live(TokenKind::verify_email, "nope", 999));
  db().write([&](WriteTx& tx) { tx.tokens().mark_token_used(t->id, 500); });
  EXPECT_FALSE(live(TokenKind::verify_email, "h1", 600)) << "used";
  db().write([&](WriteTx& tx) { tx.tokens().expire_tokens(TokenKind::reset_password, alice, 20); });
  EXPECT_FALSE(live(TokenKind::reset_password, "r1", 30));
  EXPECT_TRUE(live(TokenKind::reset_password, "rb", 30)) << "another account's token";
  EXPECT_THROW(db().write([&](WriteTx& tx) {
    tx.tokens().insert_token(TokenKind::reset_password, "h1", bob, 1000, 10);
  }),
               UniqueViolation);
}

TEST_P(ContractAuth, ApiTokensAreFoundUntilTheirOwnerRevokesThem) {
  const Id first = db().write(
      [&](WriteTx& tx) { return tx.tokens().insert_api_token(alice, "t1", "レセコン", 100); });
  const Id second = db().write(
      [&](WriteTx& tx) { return tx.tokens().insert_api_token(alice, "t2", "予備", 200); });
  auto found = db().read([](ReadTx& tx) { return tx.tokens().find_api_token("t1"); });
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, first);
  EXPECT_EQ(found->account_id, alice);
  EXPECT_EQ(found->label, "レセコン");
  EXPECT_EQ(found->created_at, 100);
  EXPECT_FALSE(found->last_used_at.has_value());
  EXPECT_FALSE(db().read([](ReadTx& tx) { return tx.tokens().find_api_token("t3"); }));
  db().write([&](WriteTx& tx) { tx.tokens().touch_api_token(first, 300); });
  found = db().read([](ReadTx& tx) { return tx.tokens().find_api_token("t1"); });
  EXPECT_EQ(found->last_used_at, std::optional<Millis>(300));

  EXPECT_FALSE(db().write([&](WriteTx& tx) {
    return tx.tokens().revoke_api_token(bob, first, 400);
  })) << "only its owner revokes a token";
  EXPECT_TRUE(db().read([](ReadTx& tx) { return tx.tokens().find_api_token("t1"); }));
  EXPECT_TRUE(
      db().write([&](WriteTx& tx) { return tx.tokens().revoke_api_token(alice, first, 400); }));
  EXPECT_FALSE(db().write([&](WriteTx& tx) {
    return tx.tokens().revoke_api_token(alice, first, 500);
  })) << "revoked already";
  EXPECT_FALSE(db().read([](ReadTx& tx) { return tx.tokens().find_api_token("t1"); }));
  const auto all = db().read([&](ReadTx& tx) { return tx.tokens().api_tokens_of(alice); });
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, first);
  EXPECT_EQ(all[0].revoked_at, std::optional<Millis>(400));
  EXPECT_EQ(all[1].id, second);
  EXPECT_FALSE(all[1].revoked_at.has_value());
  EXPECT_TRUE(db().read([&](ReadTx& tx) { return tx.tokens().api_tokens_of(bob); }).empty());
}

TEST_P(ContractAuth, LoginAttemptsAreCountedLockedAndCleared) {
  const std::string x = "account:x@example.jp";
  const std::string y = "account:y@example.jp";
  db().write([&](WriteTx& tx) {
    EXPECT_EQ(tx.tokens().login_throttle(x).failures, 0);
    EXPECT_EQ(tx.tokens().login_throttle(x).locked_until, 0);
    EXPECT_EQ(tx.tokens().count_login_attempt(x, 1000), std::optional<int>(1));
    EXPECT_EQ(tx.tokens().count_login_attempt(x, 1000), std::optional<int>(2));
    EXPECT_EQ(tx.tokens().count_login_attempt(y, 1000), std::optional<int>(1));
    tx.tokens().lock_login(x, 9000);
    tx.tokens().lock_login(x, 5000);  // never shortened
  });
  db().write([&](WriteTx& tx) {
    EXPECT_EQ(tx.tokens().login_throttle(x).locked_until, 9000);
    EXPECT_FALSE(tx.tokens().count_login_attempt(x, 8999).has_value()) << "refused while locked";
    EXPECT_EQ(tx.tokens().login_throttle(x).failures, 2) << "a refused attempt is not counted";
    EXPECT_EQ(tx.tokens().count_login_attempt(x, 9000), std::optional<int>(3));
  });
  db().write([&](WriteTx& tx) { tx.tokens().clear_login_throttle(x); });
  db().read([&](ReadTx& tx) {
    EXPECT_EQ(tx.tokens().login_throttle(x).failures, 0);
    EXPECT_EQ(tx.tokens().login_throttle(x).locked_until, 0);
    EXPECT_EQ(tx.tokens().login_throttle(y).failures, 1) << "another key";
  });
}

class ContractOperators : public StoreContract {};

TEST_P(ContractOperators, InsertFindListAndUniqueLogins) {
  Operator in = operator_record("rev", "reviewer");
  const Id rev = db().write([&](WriteTx& tx) { return tx.operators().insert_operator(in); });
  const Id adm = db().write(
      [&](WriteTx& tx) { return tx.operators().insert_operator(operator_record("adm", "admin")); });
  const auto got =
      db().read([](ReadTx& tx) { return tx.operators().find_operator_by_login("rev"); });
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->id, rev);
  EXPECT_EQ(got->display_name, in.display_name);
  EXPECT_EQ(got->role, domain::Role::reviewer);
  EXPECT_EQ(got->password_hash, "hash");
  EXPECT_EQ(got->totp_secret, in.totp_secret);
  EXPECT_EQ(got->totp_last_step, 0);
  EXPECT_EQ(got->failures, 0);
  EXPECT_EQ(got->locked_until, 0);
  EXPECT_FALSE(got->disabled_at.has_value());
  EXPECT_EQ(got->created_at, 1000);
  EXPECT_EQ(db().read([&](ReadTx& tx) { return tx.operators().find_operator(adm); })->login, "adm");
  EXPECT_FALSE(db().read([](ReadTx& tx) { return tx.operators().find_operator_by_login("x"); }));
  const auto list = db().read([](ReadTx& tx) { return tx.operators().list_operators(); });
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].login, "adm") << "by login";
  EXPECT_EQ(list[1].login, "rev");
  EXPECT_THROW(db().write([](WriteTx& tx) {
    tx.operators().insert_operator(operator_record("rev", "issuer"));
  }),
               UniqueViolation);
}

TEST_P(ContractOperators, TotpStepsOnlyMoveForwardAndThrottleAndDisable) {
  const Id id = db().write(
      [](WriteTx& tx) { return tx.operators().insert_operator(operator_record("rev")); });
  const auto advance = [&](std::int64_t step) {
    return db().write(
        [&](WriteTx& tx) { return tx.operators().advance_operator_totp_step(id, step); });
  };
  EXPECT_TRUE(advance(5));
  EXPECT_FALSE(advance(5)) << "a code is good once";
  EXPECT_FALSE(advance(4));
  EXPECT_TRUE(advance(6));
  db().write([&](WriteTx& tx) {
    EXPECT_EQ(tx.operators().find_operator(id)->totp_last_step, 6);
    EXPECT_EQ(tx.operators().count_operator_login_attempt(id, 100), std::optional<int>(1));
    EXPECT_EQ(tx.operators().count_operator_login_attempt(id, 100), std::optional<int>(2));
    tx.operators().lock_operator(id, 500);
    tx.operators().lock_operator(id, 200);
    EXPECT_FALSE(tx.operators().count_operator_login_attempt(id, 499).has_value());
    EXPECT_FALSE(tx.operators().count_operator_login_attempt(id + 100, 0).has_value());
    tx.operators().set_operator_disabled(id, 700);
  });
  auto o = db().read([&](ReadTx& tx) { return tx.operators().find_operator(id); });
  EXPECT_EQ(o->failures, 2);
  EXPECT_EQ(o->locked_until, 500);
  EXPECT_EQ(o->disabled_at, std::optional<Millis>(700));
  db().write([&](WriteTx& tx) {
    tx.operators().clear_operator_throttle(id);
    tx.operators().set_operator_disabled(id, std::nullopt);
  });
  o = db().read([&](ReadTx& tx) { return tx.operators().find_operator(id); });
  EXPECT_EQ(o->failures, 0);
  EXPECT_EQ(o->locked_until, 0);
  EXPECT_FALSE(o->disabled_at.has_value());
}

TEST_P(ContractOperators, OperatorSessions) {
  const Id rev = db().write(
      [](WriteTx& tx) { return tx.operators().insert_operator(operator_record("rev")); });
  const Id adm = db().write(
      [](WriteTx& tx) { return tx.operators().insert_operator(operator_record("adm", "admin")); });
  db().write([&](WriteTx& tx) {
    tx.operators().insert_operator_session({"o1", rev, 10, 10});
    tx.operators().insert_operator_session({"o2", rev, 10, 10});
    tx.operators().insert_operator_session({"o3", adm, 10, 10});
    tx.operators().touch_operator_session("o1", 40);
  });
  const auto find = [&](const char* id) {
    return db().read([&](ReadTx& tx) { return tx.operators().find_operator_session(id); });
  };
  ASSERT_TRUE(find("o1").has_value());
  EXPECT_EQ(find("o1")->operator_id, rev);
  EXPECT_EQ(find("o1")->created_at, 10);
  EXPECT_EQ(find("o1")->last_seen_at, 40);
  EXPECT_THROW(db().write([&](WriteTx& tx) {
    tx.operators().insert_operator_session({"o1", adm, 1, 1});
  }),
               UniqueViolation);
  db().write([&](WriteTx& tx) { tx.operators().delete_operator_session("o2"); });
  EXPECT_FALSE(find("o2"));
  EXPECT_TRUE(find("o1"));
  db().write([&](WriteTx& tx) { tx.operators().delete_operator_sessions_of(rev); });
  EXPECT_FALSE(find("o1"));
  EXPECT_TRUE(find("o3")) << "another operator's session";
}

INSTANTIATE_TEST_SUITE_P(Backends, ContractAuth, ::testing::ValuesIn(backends()), backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, ContractOperators, ::testing::ValuesIn(backends()),
                         backend_name);

}  // namespace
}  // namespace onshi::store::contract
