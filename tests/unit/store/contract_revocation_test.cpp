// The store contract, part 5: 失効 beyond the operator's — the scheduler's revocation of a
// certificate nobody picked up (guarded by its deadline in the statement itself, so that a reprint
// or another node acting first wins, and parallel sweeps revoke it once), what マイページ lists of
// a revoked certificate, and an institution's revocation requests by idempotency key. Every
// backend must pass it.
#include <atomic>
#include <thread>
#include <vector>

#include "contract_env.hpp"

namespace onshi::store::contract {
namespace {

class ContractRevocation : public StoreContract {
 protected:
  void SetUp() override {
    StoreContract::SetUp();
    c_ = clinic("1310123455", "a@example.jp");
  }
  CertificateRecord stored(const std::string& serial, const std::string& number,
                           Millis pickup_expires_at = 6000) {
    auto rec = certificate_record(c_.institution, c_.application.id, serial, number);
    rec.key_source = KeySource::generated;
    rec.sealed_key = "sealed-key";
    rec.sealed_pickup_code = "sealed-code";
    rec.pickup_expires_at = pickup_expires_at;
    EXPECT_TRUE(
        db().write([&](WriteTx& tx) { return tx.certificates().try_insert_certificate(rec); }));
    return current(number);
  }
  CertificateRecord current(const std::string& number) {
    return *db().read(
        [&](ReadTx& tx) { return tx.certificates().find_current_certificate(number); });
  }
  Clinic c_;
};

TEST_P(ContractRevocation, AnUnpickedCertificateIsRevokedOncePastItsDeadline) {
  const auto due = stored("u1", "C-00000001-01", 6000);
  const auto later = stored("u2", "C-00000001-02", 8000);
  const auto picked = stored("u3", "C-00000001-03", 6000);
  EXPECT_TRUE(
      db().write([&](WriteTx& tx) { return tx.certificates().mark_picked_up(picked.id, 5500); }));
  db().read([&](ReadTx& tx) {
    EXPECT_TRUE(tx.certificates().unpicked_past(6000).empty()) << "the deadline itself is not past";
    const auto found = tx.certificates().unpicked_past(6001);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].serial_hex, "u1");
    EXPECT_EQ(tx.certificates().unpicked_past(9000).size(), 2u) << "never the picked-up one";
  });
  EXPECT_FALSE(db().write([&](WriteTx& tx) {
    return tx.certificates().revoke_unpicked(later.id, 7000, 7500);
  })) << "its deadline (a reprint's) is not past the cut";
  EXPECT_FALSE(db().write([&](WriteTx& tx) {
    return tx.certificates().revoke_unpicked(picked.id, 9000, 9000);
  })) << "picked up";

  std::atomic<int> revoked{0};
  std::vector<std::thread> sweeps;
  for (int i = 0; i < 6; ++i) {
    sweeps.emplace_back([&] {
      if (db().write(
              [&](WriteTx& tx) { return tx.certificates().revoke_unpicked(due.id, 7000, 7000); }))
        ++revoked;
    });
  }
  for (auto& t : sweeps) t.join();
  EXPECT_EQ(revoked.load(), 1) << "parallel sweeps revoke it once";
  const auto r = current("C-00000001-01");
  EXPECT_EQ(domain::state_key(r.status), "revoked");
  EXPECT_EQ(r.revoked_at, std::optional<Millis>(7000));
  EXPECT_EQ(r.revocation_reason, std::optional<int>(5)) << "cessationOfOperation";
  EXPECT_FALSE(r.sealed_key.has_value());
  EXPECT_FALSE(r.sealed_pickup_code.has_value());
  EXPECT_EQ(r.pickup_closed_how, std::optional<PickupClosed>(PickupClosed::expired));
  EXPECT_FALSE(db().write([&](WriteTx& tx) {
    return tx.certificates().revoke_certificate(due.id, 1, 7100, std::nullopt);
  })) << "revoked once and for all";
  db().read([&](ReadTx& tx) {
    EXPECT_TRUE(tx.certificates().unpicked_past(9000).size() == 1u) << "only the later one left";
  });
}

TEST_P(ContractRevocation, MyPageRowsCarryTheRevocation) {
  const auto cert = stored("m1", "C-00000002-01");
  EXPECT_TRUE(db().write([&](WriteTx& tx) {
    return tx.certificates().revoke_certificate(cert.id, 1, 9000, std::optional<Millis>(8000));
  }));
  db().read([&](ReadTx& tx) {
    const auto rows = tx.certificates().certificates_of(c_.institution);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].revoked_at, std::optional<Millis>(9000));
    EXPECT_EQ(rows[0].revocation_reason, std::optional<int>(1));
    EXPECT_EQ(rows[0].invalidity_date, std::optional<Millis>(8000));
  });
}

TEST_P(ContractRevocation, ARequestKeyIsTheInstitutionsOnce) {
  const auto other = clinic("1310123463", "b@example.jp");
  RevocationRequestRecord r{
      0, c_.institution, c_.account, "key-1", {"C-00000003-01", "C-00000003-02"}, 4, 1000};
  EXPECT_TRUE(
      db().write([&](WriteTx& tx) { return tx.certificates().try_insert_revocation_request(r); }));
  auto again = r;
  again.certificates = {"C-00000003-09"};
  EXPECT_FALSE(db().write(
      [&](WriteTx& tx) { return tx.certificates().try_insert_revocation_request(again); }));
  auto theirs = r;
  theirs.institution_id = other.institution;
  theirs.account_id = other.account;
  EXPECT_TRUE(db().write([&](WriteTx& tx) {
    return tx.certificates().try_insert_revocation_request(theirs);
  })) << "another institution may use the same key";
  db().read([&](ReadTx& tx) {
    const auto found = tx.certificates().find_revocation_request(c_.institution, "key-1");
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->certificates, (std::vector<std::string>{"C-00000003-01", "C-00000003-02"}));
    EXPECT_EQ(found->reason, 4);
    EXPECT_EQ(found->account_id, c_.account);
    EXPECT_EQ(found->requested_at, 1000);
    EXPECT_FALSE(tx.certificates().find_revocation_request(c_.institution, "key-2").has_value());
  });
}

INSTANTIATE_TEST_SUITE_P(Backends, ContractRevocation, ::testing::ValuesIn(backends()),
                         backend_name);

}  // namespace
}  // namespace onshi::store::contract
