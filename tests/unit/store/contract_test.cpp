// The store contract, part 1: what Database::write and read promise, accounts and settings.
#include <expected>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "contract_env.hpp"
#include "support/error_of.hpp"

namespace onshi::store::contract {
namespace {

class ContractDatabase : public StoreContract {
 protected:
  // Whether anything of the work the rolled-back tests try to do stayed.
  void expect_nothing_stayed() {
    db().read([&](ReadTx& tx) {
      EXPECT_FALSE(tx.accounts().find_institution_by_code("1310123455").has_value());
      EXPECT_FALSE(tx.settings().setting("k").has_value());
      EXPECT_EQ(tx.outbox().pending_mail_count(), 0);
      int entries = 0;
      tx.audit().scan_audit([&](const AuditRecord&) {
        ++entries;
        return true;
      });
      EXPECT_EQ(entries, 0);
    });
  }
  // Work touching four concerns.
  static void some_work(WriteTx& tx) {
    tx.accounts().insert_institution("1310123455", "消える医院", 1000);
    tx.settings().put_setting("k", "v");
    tx.outbox().enqueue_mail({"to@x.jp", "件名", "本文"}, "<m1@x>", 1000);
    tx.audit().append_audit({"cli", "test", "s", "{}"}, 1000);
  }
};

TEST_P(ContractDatabase, WriteReturnsWhatTheWorkReturnsAndCommits) {
  const Id id = db().write([](WriteTx& tx) {
    tx.settings().put_setting("k", "v");
    return tx.accounts().insert_institution("1310123455", "テスト医院", 1000);
  });
  EXPECT_GT(id, 0);
  const auto found = db().read([](ReadTx& tx) {
    return std::make_pair(tx.accounts().find_institution_by_code("1310123455"),
                          tx.settings().setting("k"));
  });
  ASSERT_TRUE(found.first.has_value());
  EXPECT_EQ(found.first->id, id);
  EXPECT_EQ(found.second, std::optional<std::string>("v"));
}

TEST_P(ContractDatabase, VoidWorkCommits) {
  db().write([](WriteTx& tx) { tx.settings().put_setting("k", "v"); });
  EXPECT_EQ(db().read([](ReadTx& tx) { return tx.settings().setting("k"); }),
            std::optional<std::string>("v"));
}

TEST_P(ContractDatabase, AnExpectedHoldingAnErrorRollsEverythingBack) {
  using Result = std::expected<Id, std::string>;
  int runs = 0;
  const Result r = db().write([&](WriteTx& tx) -> Result {
    ++runs;
    some_work(tx);
    return std::unexpected(std::string("refused"));
  });
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(onshi::test::error_of(r), "refused");
  EXPECT_EQ(runs, 1) << "an error is an answer, not a conflict to run again";
  expect_nothing_stayed();

  using Done = std::expected<void, std::string>;
  const Done d = db().write([&](WriteTx& tx) -> Done {
    some_work(tx);
    return std::unexpected(std::string("refused too"));
  });
  ASSERT_FALSE(d.has_value());
  expect_nothing_stayed();
}

TEST_P(ContractDatabase, AnExpectedHoldingAValueCommits) {
  using Result = std::expected<Id, std::string>;
  const Result r = db().write([&](WriteTx& tx) -> Result {
    some_work(tx);
    return tx.accounts().insert_institution("1310123463", "残る医院", 1000);
  });
  ASSERT_TRUE(r.has_value());
  db().read([&](ReadTx& tx) {
    EXPECT_EQ(tx.accounts().find_institution_by_code("1310123463")->id, *r);
    EXPECT_TRUE(tx.accounts().find_institution_by_code("1310123455").has_value());
    EXPECT_EQ(tx.outbox().pending_mail_count(), 1);
  });
}

TEST_P(ContractDatabase, AnEmptyOptionalIsNoErrorAndCommits) {
  const auto r = db().write([&](WriteTx& tx) -> std::optional<int> {
    tx.settings().put_setting("k", "v");
    return std::nullopt;
  });
  EXPECT_FALSE(r.has_value());
  EXPECT_TRUE(db().read([](ReadTx& tx) { return tx.settings().setting("k"); }).has_value());
}

TEST_P(ContractDatabase, AThrowRollsBackAndTheDatabaseStaysUsable) {
  struct Boom {};
  EXPECT_THROW(db().write([&](WriteTx& tx) {
    some_work(tx);
    throw Boom{};
  }),
               Boom);
  expect_nothing_stayed();
  EXPECT_GT(institution("1310123455"), 0);
}

TEST_P(ContractDatabase, AUniqueViolationEscapesAndTakesTheWholeTransactionWithIt) {
  institution("1310123455");
  int runs = 0;
  EXPECT_THROW(db().write([&](WriteTx& tx) {
    ++runs;
    tx.settings().put_setting("k", "v");
    tx.accounts().insert_institution("1310123455", "二重", 1000);
  }),
               UniqueViolation);
  EXPECT_EQ(runs, 1) << "a unique violation is not retried";
  EXPECT_FALSE(db().read([](ReadTx& tx) { return tx.settings().setting("k"); }).has_value());
}

TEST_P(ContractDatabase, ATransientConflictRunsTheWorkAgainOnAFreshTransaction) {
  int runs = 0;
  const Id id = db().write([&](WriteTx& tx) {
    ++runs;
    // Would be a UniqueViolation if the first run's row had stayed.
    const Id inst = tx.accounts().insert_institution("1310123455", "テスト医院", 1000);
    if (runs == 1) throw TransientConflict("test: lost a race");
    return inst;
  });
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(
      db().read([](ReadTx& tx) { return tx.accounts().find_institution_by_code("1310123455"); })
          ->id,
      id);
}

TEST_P(ContractDatabase, AConflictThatDoesNotGoAwayEscapesAfterAFewRuns) {
  int runs = 0;
  EXPECT_THROW(db().write([&](WriteTx& tx) {
    ++runs;
    some_work(tx);
    throw TransientConflict("test: always lost");
  }),
               TransientConflict);
  EXPECT_GT(runs, 1);
  EXPECT_LE(runs, 20);
  expect_nothing_stayed();
}

// Durability::full reaches the engine: the connection running the transaction commits only once
// its log is on the disk, as the engine itself reports it; the work, its result and its rollback
// are those of any write.
TEST_P(ContractDatabase, ADurableWriteCommitsOnceTheLogIsOnTheDisk) {
  const auto durable = db().write(Durability::full, [](WriteTx& tx) {
    tx.settings().put_setting("durable", "yes");
    return tx.commit_waits_for_disk();
  });
  EXPECT_TRUE(durable);
  EXPECT_EQ(db().read([](ReadTx& tx) { return tx.settings().setting("durable"); }),
            std::optional<std::string>("yes"));
  // Several in a row, between normal writes: each is durable, whichever connection served before.
  for (int i = 0; i < 3; ++i) {
    db().write([&](WriteTx& tx) { tx.settings().put_setting("normal", std::to_string(i)); });
    EXPECT_TRUE(db().write(Durability::full, [](WriteTx& tx) {
      return tx.commit_waits_for_disk();
    })) << i;
  }
  EXPECT_THROW(db().write(Durability::full,
                          [&](WriteTx& tx) {
                            some_work(tx);
                            throw TransientConflict("test: always lost");
                          }),
               TransientConflict);
  expect_nothing_stayed();
}

// A use case holding a ReadTx cannot write by casting it (what static_cast<WriteTx&> would reach):
// the backend refuses underneath (a read session on SQLite refuses any statement that writes).
TEST_P(ContractDatabase, AReadTxCannotWriteEvenThroughACast) {
  const Id inst = institution("1310123463");
  const Id acct = account(inst, "a@example.jp");
  db().write([](WriteTx& tx) { tx.outbox().enqueue_mail({"to@x.jp", "s", "b"}, "<due@x>", 100); });
  const std::vector<std::function<void(WriteTx&)>> writes = {
      [](WriteTx& w) { w.accounts().insert_institution("1310123455", "x", 1); },
      [&](WriteTx& w) { w.accounts().set_account_disabled(acct, 5); },
      [](WriteTx& w) { w.settings().put_setting("k", "v"); },
      [](WriteTx& w) {
        w.audit().append_audit({"cli", "x", "y", "{}"}, 1);
      },
      [](WriteTx& w) { w.tokens().count_login_attempt("account:a@example.jp", 1); },
      [](WriteTx& w) { w.outbox().claim_due_mail(1000, 10, 9000); },
  };
  for (std::size_t i = 0; i < writes.size(); ++i) {
    EXPECT_ANY_THROW(db().read([&](ReadTx& tx) {
      auto* w = dynamic_cast<WriteTx*>(&tx);
      if (!w) throw std::logic_error("refused by the type: this ReadTx is no WriteTx");
      writes[i](*w);
    })) << "write "
        << i;
  }
  db().read([&](ReadTx& tx) {
    EXPECT_FALSE(tx.accounts().find_institution_by_code("1310123455").has_value());
    EXPECT_FALSE(tx.accounts().find_account(acct)->disabled_at.has_value());
    EXPECT_FALSE(tx.settings().setting("k").has_value());
    int entries = 0;
    tx.audit().scan_audit([&](const AuditRecord&) {
      ++entries;
      return true;
    });
    EXPECT_EQ(entries, 0);
    EXPECT_EQ(tx.tokens().login_throttle("account:a@example.jp").failures, 0);
    EXPECT_EQ(tx.outbox().due_mail(1000, 10).size(), 1u) << "the mail was not claimed";
  });
  // The connections that served those reads write again.
  for (int i = 0; i < 6; ++i) {
    db().write([&](WriteTx& tx) { tx.settings().put_setting("after", std::to_string(i)); });
  }
  EXPECT_EQ(db().read([](ReadTx& tx) { return tx.settings().setting("after"); }),
            std::optional<std::string>("5"));
}

TEST_P(ContractDatabase, PingAndSchemaVersion) {
  EXPECT_TRUE(db().ping());
  EXPECT_EQ(db().schema_version(), current_schema_version());
  EXPECT_EQ(db().migrate(), 0) << "migrating twice applies nothing";
}

class ContractAccounts : public StoreContract {};

TEST_P(ContractAccounts, InstitutionsAreFoundByCodeAndIdAndTheirCodesAreUnique) {
  const Id a = institution("1310123455", "テスト医院");
  const Id b = institution("2710123455", "大阪の医院");
  EXPECT_NE(a, b);
  db().read([&](ReadTx& tx) {
    const auto found = tx.accounts().find_institution_by_code("1310123455");
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->id, a);
    EXPECT_EQ(found->code, "1310123455");
    EXPECT_EQ(found->name, "テスト医院");
    EXPECT_EQ(tx.accounts().find_institution(b)->name, "大阪の医院");
    EXPECT_FALSE(tx.accounts().find_institution(a + b + 1).has_value());
    EXPECT_FALSE(tx.accounts().find_institution_by_code("4010123455").has_value());
  });
  EXPECT_THROW(institution("1310123455", "二重"), UniqueViolation);
  EXPECT_EQ(db().read([](ReadTx& tx) {
    return tx.accounts().find_institution_by_code("1310123455")->name;
  }),
            "テスト医院");
}

TEST_P(ContractAccounts, AccountsRoundTripAndTheirEmailKeysAreUniqueAcrossInstitutions) {
  const Id a = institution("1310123455");
  const Id b = institution("1310123463");
  Account in = account_record(a, "a@example.jp");
  in.email = "A@example.jp";
  in.verified_at = 1500;
  const Id id = db().write([&](WriteTx& tx) { return tx.accounts().insert_account(in); });
  db().read([&](ReadTx& tx) {
    const auto got = tx.accounts().find_account_by_email_key("a@example.jp");
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->id, id);
    EXPECT_EQ(got->institution_id, a);
    EXPECT_EQ(got->email, "A@example.jp");
    EXPECT_EQ(got->password_hash, "hash");
    EXPECT_EQ(got->verified_at, std::optional<Millis>(1500));
    EXPECT_FALSE(got->disabled_at.has_value());
    EXPECT_EQ(got->created_at, 1000);
    EXPECT_EQ(tx.accounts().find_account(id)->email_key, "a@example.jp");
    EXPECT_FALSE(tx.accounts().find_account_by_email_key("A@example.jp").has_value())
        << "the key is compared as it is";
    EXPECT_FALSE(tx.accounts().find_account(id + 1).has_value());
  });
  EXPECT_THROW(account(b, "a@example.jp"), UniqueViolation);
  const Id other = account(b, "b@example.jp");
  const auto list = db().read([](ReadTx& tx) { return tx.accounts().list_accounts(); });
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].account.id, id);
  EXPECT_EQ(list[0].institution.code, "1310123455");
  EXPECT_EQ(list[1].account.id, other);
  EXPECT_EQ(list[1].institution.id, b);
}

TEST_P(ContractAccounts, VerifiedOnceNewPasswordDisabledAndEnabledAgain) {
  const Id id = account(institution("1310123455"), "a@example.jp");
  db().write([&](WriteTx& tx) {
    tx.accounts().set_account_verified(id, 2000);
    tx.accounts().set_account_verified(id, 3000);
    tx.accounts().set_account_password(id, "new-hash");
    tx.accounts().set_account_disabled(id, 4000);
  });
  auto got = db().read([&](ReadTx& tx) { return tx.accounts().find_account(id); });
  EXPECT_EQ(got->verified_at, std::optional<Millis>(2000)) << "the first verification counts";
  EXPECT_EQ(got->password_hash, "new-hash");
  EXPECT_EQ(got->disabled_at, std::optional<Millis>(4000));
  db().write([&](WriteTx& tx) { tx.accounts().set_account_disabled(id, std::nullopt); });
  got = db().read([&](ReadTx& tx) { return tx.accounts().find_account(id); });
  EXPECT_FALSE(got->disabled_at.has_value());
}

class ContractSettings : public StoreContract {};

TEST_P(ContractSettings, PutGetOverwriteAndEmptyIsNotAbsent) {
  EXPECT_FALSE(db().read([](ReadTx& tx) { return tx.settings().setting("csrf_key"); }));
  db().write([](WriteTx& tx) {
    tx.settings().put_setting("csrf_key", "one");
    tx.settings().put_setting("empty", "");
  });
  db().write([](WriteTx& tx) {
    EXPECT_EQ(tx.settings().setting("csrf_key"), std::optional<std::string>("one"));
    tx.settings().put_setting("csrf_key", "two");
  });
  db().read([](ReadTx& tx) {
    EXPECT_EQ(tx.settings().setting("csrf_key"), std::optional<std::string>("two"));
    EXPECT_EQ(tx.settings().setting("empty"), std::optional<std::string>(""));
    EXPECT_FALSE(tx.settings().setting("other").has_value());
  });
}

INSTANTIATE_TEST_SUITE_P(Backends, ContractDatabase, ::testing::ValuesIn(backends()), backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, ContractAccounts, ::testing::ValuesIn(backends()), backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, ContractSettings, ::testing::ValuesIn(backends()), backend_name);

}  // namespace
}  // namespace onshi::store::contract
