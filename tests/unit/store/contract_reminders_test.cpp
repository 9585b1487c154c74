// The store contract, expiry reminders (migration 0018): which certificates are nearing their
// notAfter (current and unrevoked only), counted by prefecture, the institution's addresses, and a
// reminder recorded once per certificate and threshold, also by many workers at once.
#include <atomic>
#include <string>
#include <vector>

#include "contract_env.hpp"

namespace onshi::store::contract {
namespace {

constexpr Millis kDay = 86'400'000;

class ContractReminders : public StoreContract {
 protected:
  void SetUp() override {
    StoreContract::SetUp();
    c_ = clinic("1310123455", "a@example.jp");
  }
  // A 発行済 certificate of c_'s application, expiring at `not_after`.
  Id certificate(const std::string& serial, const std::string& number, Millis not_after,
                 int generation = 1) {
    auto rec = certificate_record(c_.institution, c_.application.id, serial, number);
    rec.not_after = not_after;
    rec.generation = generation;
    EXPECT_TRUE(
        db().write([&](WriteTx& tx) { return tx.certificates().try_insert_certificate(rec); }));
    return db()
        .read([&](ReadTx& tx) { return tx.certificates().find_certificate_by_serial(serial); })
        ->id;
  }
  std::vector<std::string> expiring(Millis from, Millis before) {
    std::vector<std::string> numbers;
    for (const auto& e :
         db().read([&](ReadTx& tx) { return tx.reminders().expiring_certificates(from, before); }))
      numbers.push_back(e.issuance_number);
    return numbers;
  }
  bool record(Id certificate_id, int threshold, Millis now) {
    return db().write([&](WriteTx& tx) {
      return tx.reminders().try_record_reminder(certificate_id, threshold, now);
    });
  }
  std::vector<int> sent(Id certificate_id) {
    return db().read([&](ReadTx& tx) { return tx.reminders().reminders_sent(certificate_id); });
  }
  Clinic c_;
};

TEST_P(ContractReminders, ExpiringCertificatesAreThoseInTheSpanWithTheirApplication) {
  certificate("s1", "C-00000001-01", 100 * kDay);
  certificate("s2", "C-00000001-02", 50 * kDay);
  certificate("s3", "C-00000001-03", 200 * kDay);
  certificate("s4", "C-00000001-04", 10 * kDay);
  EXPECT_EQ(expiring(10 * kDay, 101 * kDay),
            (std::vector<std::string>{"C-00000001-04", "C-00000001-02", "C-00000001-01"}))
      << "by notAfter, its start included, its end not";
  EXPECT_EQ(expiring(0, 100 * kDay), (std::vector<std::string>{"C-00000001-04", "C-00000001-02"}));
  const auto all =
      db().read([&](ReadTx& tx) { return tx.reminders().expiring_certificates(0, 60 * kDay); });
  ASSERT_EQ(all.size(), 2u);
  const auto& e = all.front();
  EXPECT_EQ(e.institution_id, c_.institution);
  EXPECT_EQ(e.application_id, c_.application.id);
  EXPECT_EQ(e.serial_hex, "s4");
  EXPECT_EQ(e.terminal, "T01");
  EXPECT_EQ(e.subject, "CN=T01");
  EXPECT_EQ(e.not_after, 10 * kDay);
  EXPECT_EQ(e.status, domain::CertificateState::issued);
  EXPECT_EQ(e.institution_code, "1310123455");
  EXPECT_EQ(e.institution_name, "テスト医院");
  EXPECT_EQ(e.contact_name, "山田 花子");
  EXPECT_EQ(e.contact_email, "a@example.jp");
  EXPECT_EQ(e.prefecture, 13);
}

TEST_P(ContractReminders, RevokedAndReplacedCertificatesAreNotExpiring) {
  const Id revoked = certificate("s1", "C-00000001-01", 50 * kDay);
  const Id picked = certificate("s2", "C-00000001-02", 50 * kDay);
  const Id renewed = certificate("s3", "C-00000001-03", 50 * kDay);
  ASSERT_TRUE(db().write(
      [&](WriteTx& tx) { return tx.certificates().revoke_certificate(revoked, 5, 7000, {}); }));
  ASSERT_TRUE(
      db().write([&](WriteTx& tx) { return tx.certificates().mark_picked_up(picked, 7000); }));
  ASSERT_TRUE(
      db().write([&](WriteTx& tx) { return tx.certificates().mark_renewed(renewed, 7000); }));
  certificate("s4", "C-00000001-03", 1200 * kDay, 2);
  EXPECT_EQ(expiring(0, 60 * kDay), (std::vector<std::string>{"C-00000001-02"}))
      << "the picked-up one only: the renewed number's new generation expires later";
  EXPECT_EQ(expiring(0, 1300 * kDay), (std::vector<std::string>{"C-00000001-02", "C-00000001-03"}));
}

TEST_P(ContractReminders, ANewerGenerationNotYetReplacingTheOldOneEndsItsReminders) {
  certificate("s1", "C-00000001-01", 50 * kDay);
  const Id renewal = certificate("s2", "C-00000001-01", 1200 * kDay, 2);
  EXPECT_EQ(expiring(0, 60 * kDay), std::vector<std::string>{})
      << "a renewal issued, the old one not yet marked replaced";
  ASSERT_TRUE(db().write(
      [&](WriteTx& tx) { return tx.certificates().revoke_certificate(renewal, 5, 7000, {}); }));
  EXPECT_EQ(expiring(0, 60 * kDay), std::vector<std::string>{"C-00000001-01"})
      << "the renewal revoked: the old one needs renewing again";
}

TEST_P(ContractReminders, CountedByThePrefectureOfTheApplication) {
  certificate("s1", "C-00000001-01", 50 * kDay);
  certificate("s2", "C-00000001-02", 55 * kDay);
  certificate("s3", "C-00000001-03", 500 * kDay);
  const auto other = clinic("2710123450", "b@example.jp");
  auto a = certificate_application_record(other.institution, other.account, other.usage.id, "k2");
  a.prefecture = 27;
  const auto osaka = db().write(
      [&](WriteTx& tx) { return tx.certificate_applications().insert_certificate_application(a); });
  auto rec = certificate_record(other.institution, osaka.id, "s4", "C-00000002-01");
  rec.not_after = 40 * kDay;
  ASSERT_TRUE(
      db().write([&](WriteTx& tx) { return tx.certificates().try_insert_certificate(rec); }));
  const auto counts =
      db().read([&](ReadTx& tx) { return tx.reminders().count_expiring(0, 100 * kDay); });
  ASSERT_EQ(counts.size(), 2u);
  EXPECT_EQ(counts[0].prefecture, 13);
  EXPECT_EQ(counts[0].certificates, 2);
  EXPECT_EQ(counts[1].prefecture, 27);
  EXPECT_EQ(counts[1].certificates, 1);
  EXPECT_TRUE(
      db().read([&](ReadTx& tx) { return tx.reminders().count_expiring(0, kDay); }).empty());
}

TEST_P(ContractReminders, AccountAddressesAreTheVerifiedAndEnabledOnes) {
  EXPECT_TRUE(
      db().read([&](ReadTx& tx) { return tx.reminders().account_addresses(c_.institution); })
          .empty())
      << "a.example.jp never verified";
  const Id second = account(c_.institution, "second@example.jp");
  const Id third = account(c_.institution, "third@example.jp");
  db().write([&](WriteTx& tx) {
    tx.accounts().set_account_verified(c_.account, 1500);
    tx.accounts().set_account_verified(second, 1500);
    tx.accounts().set_account_verified(third, 1500);
    tx.accounts().set_account_disabled(third, 1600);
  });
  EXPECT_EQ(db().read([&](ReadTx& tx) { return tx.reminders().account_addresses(c_.institution); }),
            (std::vector<std::string>{"a@example.jp", "second@example.jp"}));
}

TEST_P(ContractReminders, EachThresholdIsRecordedOnce) {
  const Id id = certificate("s1", "C-00000001-01", 100 * kDay);
  const Id other = certificate("s2", "C-00000001-02", 100 * kDay);
  EXPECT_TRUE(sent(id).empty());
  EXPECT_TRUE(record(id, 90, 10 * kDay));
  EXPECT_FALSE(record(id, 90, 11 * kDay)) << "again, later: refused";
  EXPECT_TRUE(record(id, 60, 40 * kDay));
  EXPECT_TRUE(record(id, -1, 100 * kDay));
  EXPECT_TRUE(record(id, -2, 101 * kDay)) << "each day after expiry has its own key";
  EXPECT_TRUE(record(other, 90, 10 * kDay)) << "the same threshold of another certificate";
  EXPECT_EQ(sent(id), (std::vector<int>{90, 60, -1, -2}));
  EXPECT_EQ(sent(other), (std::vector<int>{90}));
}

TEST_P(ContractReminders, OfWorkersRecordingAtOnceExactlyOneStoresTheReminder) {
  const Id id = certificate("s1", "C-00000001-01", 100 * kDay);
  constexpr int kWorkers = 8;
  std::atomic<int> stored{0};
  const auto failures = run_together(kWorkers, [&](int i) {
    // As a sweep does: the reminder and what it queues in one transaction.
    const bool mine = db().write([&](WriteTx& tx) {
      const bool first = tx.reminders().try_record_reminder(id, 30, 70 * kDay + i);
      if (first) tx.settings().put_setting("reminded-by", std::to_string(i));
      return first;
    });
    if (mine) ++stored;
  });
  EXPECT_TRUE(failures.empty()) << (failures.empty() ? std::string() : failures.front());
  EXPECT_EQ(stored.load(), 1);
  EXPECT_EQ(sent(id), (std::vector<int>{30}));
  EXPECT_TRUE(db().read([&](ReadTx& tx) { return tx.settings().setting("reminded-by"); }));
}

INSTANTIATE_TEST_SUITE_P(Backends, ContractReminders, ::testing::ValuesIn(backends()),
                         backend_name);

}  // namespace
}  // namespace onshi::store::contract
