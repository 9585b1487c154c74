// The store contract, part 4: what the pickup does to certificates — failures counted atomically
// and locked at the limit, the first download once, closing that destroys the key once, a
// generation replacing an unused certificate, and the address throttle's forgiveness. Every
// backend must pass it (issue 18's PostgreSQL too).
#include <atomic>
#include <thread>
#include <vector>

#include "contract_env.hpp"

namespace onshi::store::contract {
namespace {

class ContractPickup : public StoreContract {
 protected:
  CertificateRecord stored(const std::string& serial, const std::string& number) {
    c_ = clinic("1310123455", "a@example.jp");
    auto rec = certificate_record(c_.institution, c_.application.id, serial, number);
    rec.key_source = KeySource::generated;
    rec.sealed_key = "sealed-key";
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

TEST_P(ContractPickup, ParallelWrongCodesCountEachOnceAndLockAtTheLimit) {
  const auto cert = stored("p1", "C-00000001-01");
  std::atomic<int> counted{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 12; ++i) {
    threads.emplace_back([&] {
      const auto n = db().write(
          [&](WriteTx& tx) { return tx.certificates().count_pickup_failure(cert.id, 5, 7000); });
      ++(n ? counted : refused);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(counted.load(), 5);
  EXPECT_EQ(refused.load(), 7) << "nothing is counted while locked";
  auto locked = current("C-00000001-01");
  EXPECT_EQ(locked.pickup_failures, 5);
  EXPECT_EQ(locked.pickup_locked_at, std::optional<Millis>(7000));
  EXPECT_TRUE(db().write([&](WriteTx& tx) { return tx.certificates().unlock_pickup(cert.id); }));
  EXPECT_FALSE(db().write([&](WriteTx& tx) { return tx.certificates().unlock_pickup(cert.id); }));
  EXPECT_EQ(current("C-00000001-01").pickup_failures, 0);
}

TEST_P(ContractPickup, TheFirstDownloadHappensOnceAndClosingDestroysTheKeyOnce) {
  const auto cert = stored("p2", "C-00000002-01");
  EXPECT_TRUE(
      db().write([&](WriteTx& tx) { return tx.certificates().mark_picked_up(cert.id, 7100); }));
  EXPECT_FALSE(
      db().write([&](WriteTx& tx) { return tx.certificates().mark_picked_up(cert.id, 7200); }));
  db().write([&](WriteTx& tx) {
    tx.certificates().insert_download({0, cert.id, 7100, "192.0.2.1", "pkcs12-standard"});
    tx.certificates().insert_download({0, cert.id, 7300, "192.0.2.2", "pem"});
  });
  auto now = current("C-00000002-01");
  EXPECT_EQ(now.picked_up_at, std::optional<Millis>(7100));
  EXPECT_EQ(domain::state_key(now.status), "active");
  db().read([&](ReadTx& tx) {
    const auto d = tx.certificates().downloads_of(cert.id);
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[1].client_address, "192.0.2.2");
    EXPECT_EQ(d[1].what, "pem");
    EXPECT_EQ(tx.certificates().certificates_of(c_.institution).at(0).downloads, 2);
    // Lapsed: first download at or before the cut, or the window over by `now`.
    EXPECT_EQ(tx.certificates().lapsed_pickups(7099, 5000).size(), 0u);
    EXPECT_EQ(tx.certificates().lapsed_pickups(7100, 5000).size(), 1u);
    EXPECT_EQ(tx.certificates().lapsed_pickups(0, 6000).size(), 1u);
  });
  EXPECT_TRUE(db().write([&](WriteTx& tx) {
    return tx.certificates().close_pickup(cert.id, PickupClosed::completed, 7400);
  }));
  EXPECT_FALSE(db().write([&](WriteTx& tx) {
    return tx.certificates().close_pickup(cert.id, PickupClosed::lapsed, 7500);
  }));
  now = current("C-00000002-01");
  EXPECT_FALSE(now.sealed_key.has_value());
  EXPECT_EQ(now.pickup_closed_at, std::optional<Millis>(7400));
  EXPECT_EQ(now.pickup_closed_how, std::optional<PickupClosed>(PickupClosed::completed));
  db().read([&](ReadTx& tx) { EXPECT_TRUE(tx.certificates().lapsed_pickups(9999, 9999).empty()); });
}

TEST_P(ContractPickup, AGenerationReplacesAnUnusedCertificateUnderTheSameNumber) {
  const auto first = stored("p3", "C-00000003-01");
  auto next = certificate_record(c_.institution, c_.application.id, "p3b", "C-00000003-01");
  next.generation = 2;
  next.picked_up_at = 8000;
  next.status = domain::CertificateState::active;
  EXPECT_TRUE(db().write([&](WriteTx& tx) {
    if (!tx.certificates().supersede_unused_certificate(first.id, 8000)) return false;
    return tx.certificates().try_insert_certificate(next);
  }));
  // The same generation twice is refused, as a number was before generations.
  EXPECT_FALSE(db().write([&](WriteTx& tx) {
    auto again = next;
    again.serial_hex = "p3c";
    return tx.certificates().try_insert_certificate(again);
  }));
  EXPECT_FALSE(db().write([&](WriteTx& tx) {
    return tx.certificates().supersede_unused_certificate(first.id, 8100);
  })) << "once only";
  const auto now = current("C-00000003-01");
  EXPECT_EQ(now.serial_hex, "p3b");
  EXPECT_EQ(now.generation, 2);
  db().read([&](ReadTx& tx) {
    const auto old = tx.certificates().find_certificate_by_serial("p3");
    EXPECT_EQ(domain::state_key(old->status), "revoked");
    EXPECT_EQ(old->revocation_reason, std::optional<int>(4));
    EXPECT_EQ(old->replaced_at, std::optional<Millis>(8000));
    EXPECT_FALSE(old->renewed);
    EXPECT_FALSE(old->sealed_key.has_value());
    EXPECT_EQ(tx.certificates().generations_of("C-00000003-01").size(), 2u);
    const auto rows = tx.certificates().certificates_of(c_.institution);
    ASSERT_EQ(rows.size(), 1u) << "マイページ lists the current certificate only";
    EXPECT_EQ(rows[0].serial_hex, "p3b");
  });
  // A downloaded certificate is never superseded; re-enrolment marks it renewed instead.
  EXPECT_FALSE(db().write(
      [&](WriteTx& tx) { return tx.certificates().supersede_unused_certificate(now.id, 8200); }));
  EXPECT_TRUE(
      db().write([&](WriteTx& tx) { return tx.certificates().mark_renewed(now.id, 8300); }));
  db().read([&](ReadTx& tx) {
    EXPECT_FALSE(tx.certificates().find_current_certificate("C-00000003-01").has_value());
    EXPECT_TRUE(tx.certificates().find_certificate_by_serial("p3b")->renewed);
  });
}

TEST_P(ContractPickup, ARightAttemptIsForgivenWithoutClearingTheFailuresBefore) {
  db().write([&](WriteTx& tx) {
    for (int i = 0; i < 3; ++i) tx.tokens().count_login_attempt("pickup:192.0.2.9", 1000);
    tx.tokens().forgive_login_attempt("pickup:192.0.2.9");
  });
  db().read(
      [&](ReadTx& tx) { EXPECT_EQ(tx.tokens().login_throttle("pickup:192.0.2.9").failures, 2); });
}

TEST_P(ContractPickup, ARevocationHappensOnceAndDestroysTheKey) {
  const auto cert = stored("p5", "C-00000005-01");
  EXPECT_TRUE(db().write([&](WriteTx& tx) {
    return tx.certificates().revoke_certificate(cert.id, 1, 9000, std::optional<Millis>(8000));
  }));
  EXPECT_FALSE(db().write([&](WriteTx& tx) {
    return tx.certificates().revoke_certificate(cert.id, 4, 9100, std::nullopt);
  })) << "never twice, never another reason";
  const auto now = current("C-00000005-01");
  EXPECT_EQ(domain::state_key(now.status), "revoked");
  EXPECT_EQ(now.revoked_at, std::optional<Millis>(9000));
  EXPECT_EQ(now.revocation_reason, std::optional<int>(1));
  EXPECT_EQ(now.invalidity_date, std::optional<Millis>(8000));
  EXPECT_FALSE(now.sealed_key.has_value());
  db().read([&](ReadTx& tx) {
    CertificateFilter f;
    f.status = domain::CertificateState::revoked;
    EXPECT_EQ(tx.certificates().find_certificates(f).size(), 1u);
    f.institution_code = "1310123455";
    EXPECT_EQ(tx.certificates().find_certificates(f).size(), 1u);
    f.institution_code = "1310123463";
    EXPECT_TRUE(tx.certificates().find_certificates(f).empty());
  });
}

TEST_P(ContractPickup, TheIssuerKeyIdIsStoredOrFilledInOnce) {
  c_ = clinic("1310123455", "a@example.jp");
  auto with = certificate_record(c_.institution, c_.application.id, "p6", "C-00000006-01");
  with.issuer_key_id = "aa01";
  auto without = certificate_record(c_.institution, c_.application.id, "p7", "C-00000007-01");
  without.der = "der-of-p7";
  ASSERT_TRUE(db().write([&](WriteTx& tx) {
    return tx.certificates().try_insert_certificate(with) &&
           tx.certificates().try_insert_certificate(without);
  }));
  EXPECT_EQ(current("C-00000006-01").issuer_key_id, "aa01");
  EXPECT_EQ(current("C-00000007-01").issuer_key_id, "");
  const auto missing = db().read(
      [&](ReadTx& tx) { return tx.certificates().certificates_without_issuer_key_id(10); });
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0].second, "der-of-p7");
  EXPECT_TRUE(db().write(
      [&](WriteTx& tx) { return tx.certificates().set_issuer_key_id(missing[0].first, "bb02"); }));
  EXPECT_FALSE(db().write([&](WriteTx& tx) {
    return tx.certificates().set_issuer_key_id(missing[0].first, "cc03");
  })) << "only while it is missing";
  EXPECT_EQ(current("C-00000007-01").issuer_key_id, "bb02");
  EXPECT_TRUE(db().read([&](ReadTx& tx) {
                    return tx.certificates().certificates_without_issuer_key_id(10);
                  })
                  .empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, ContractPickup, ::testing::ValuesIn(backends()), backend_name);

}  // namespace
}  // namespace onshi::store::contract
