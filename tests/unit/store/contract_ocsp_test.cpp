// The store contract, OCSP: responder certificates renewed once by racing nodes, pre-produced
// responses stored only while they say the truth, removed by every revocation in its own
// transaction, and the scheduler's queries for missing and stale ones.
#include <optional>

#include "contract_env.hpp"

namespace onshi::store::contract {
namespace {

const std::string kIssuer = "aa11";

class ContractOcsp : public StoreContract {
 protected:
  void SetUp() override {
    StoreContract::SetUp();
    clinic_ = clinic("1310123455", "a@example.jp");
    responder_ = *db().write([&](WriteTx& tx) {
      return tx.ocsp().try_insert_ocsp_responder(responder_record("r1", 1000, 900'000), 0);
    });
  }

  static OcspResponderRecord responder_record(const std::string& serial, Millis not_before,
                                              Millis not_after) {
    OcspResponderRecord r;
    r.issuer_key_id = kIssuer;
    r.serial_hex = serial;
    r.der = std::string("\x30\x82\x00", 3).append(serial);
    r.sealed_key = "sealed-" + serial;
    r.not_before = not_before;
    r.not_after = not_after;
    r.created_at = not_before;
    return r;
  }

  // A certificate of kIssuer valid until `not_after`.
  CertificateRecord certificate(const std::string& serial, const std::string& number,
                                Millis not_after = 500'000) {
    auto rec = certificate_record(clinic_.institution, clinic_.application.id, serial, number);
    rec.issuer_key_id = kIssuer;
    rec.not_after = not_after;
    EXPECT_TRUE(
        db().write([&](WriteTx& tx) { return tx.certificates().try_insert_certificate(rec); }));
    return *db().read(
        [&](ReadTx& tx) { return tx.certificates().find_current_certificate(number); });
  }

  OcspStoredResponse response(Id certificate_id, bool revoked, Millis this_update,
                              OcspHashAlgorithm hash = OcspHashAlgorithm::sha1) const {
    OcspStoredResponse r;
    r.certificate_id = certificate_id;
    r.hash = hash;
    r.revoked = revoked;
    r.der = std::string("\x30\x03\x0a\x01", 4).append(std::to_string(this_update));
    r.this_update = this_update;
    r.next_update = this_update + 1000;
    r.refresh_at = this_update + 500;
    r.responder_id = responder_;
    return r;
  }
  bool store(const OcspStoredResponse& r) {
    return db().write([&](WriteTx& tx) { return tx.ocsp().try_store_ocsp_response(r); });
  }
  std::optional<OcspCertificateStatus> status(const std::string& serial,
                                              OcspHashAlgorithm hash = OcspHashAlgorithm::sha1,
                                              const std::string& issuer = kIssuer) {
    return db().read([&](ReadTx& tx) { return tx.ocsp().ocsp_status(issuer, serial, hash); });
  }

  Clinic clinic_;
  Id responder_ = 0;
};

TEST_P(ContractOcsp, ARenewalHappensOnceAndTheNewestValidResponderIsInUse) {
  // Another node renewed first: the existing one is valid until 900,000.
  EXPECT_FALSE(db().write([&](WriteTx& tx) {
    return tx.ocsp().try_insert_ocsp_responder(responder_record("r2", 2000, 1'000'000), 800'000);
  }));
  const auto r3 = db().write([&](WriteTx& tx) {
    return tx.ocsp().try_insert_ocsp_responder(responder_record("r3", 2000, 1'500'000), 950'000);
  });
  ASSERT_TRUE(r3.has_value());
  db().read([&](ReadTx& tx) {
    const auto now = tx.ocsp().current_ocsp_responder(kIssuer, 3000);
    ASSERT_TRUE(now.has_value());
    EXPECT_EQ(now->id, *r3);
    EXPECT_EQ(now->der, std::string("\x30\x82\x00r3", 5));
    EXPECT_EQ(now->sealed_key, "sealed-r3");
    EXPECT_EQ(now->not_after, 1'500'000);
    // Before r3's notBefore only r1 is valid; after both expired, none is.
    EXPECT_EQ(tx.ocsp().current_ocsp_responder(kIssuer, 1500)->id, responder_);
    EXPECT_FALSE(tx.ocsp().current_ocsp_responder(kIssuer, 1'500'000).has_value());
    EXPECT_FALSE(tx.ocsp().current_ocsp_responder("bb22", 3000).has_value());
  });
}

TEST_P(ContractOcsp, ParallelRenewalsInsertOneResponder) {
  std::atomic<int> inserted{0};
  const auto failures = run_together(6, [&](int i) {
    const auto id = db().write([&](WriteTx& tx) {
      return tx.ocsp().try_insert_ocsp_responder(
          responder_record("p" + std::to_string(i), 2000, 2'000'000), 1'000'000);
    });
    if (id) ++inserted;
  });
  EXPECT_TRUE(failures.empty()) << failures.front();
  EXPECT_EQ(inserted.load(), 1);
}

TEST_P(ContractOcsp, AStoredResponseIsFoundByIssuerSerialAndHash) {
  const auto c = certificate("5f3a", "C-00000001-01");
  EXPECT_TRUE(store(response(c.id, false, 10'000)));
  const auto s = status("5f3a");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->certificate_id, c.id);
  EXPECT_EQ(s->not_after, 500'000);
  EXPECT_FALSE(s->revoked_at.has_value());
  ASSERT_TRUE(s->response.has_value());
  EXPECT_FALSE(s->response->revoked);
  EXPECT_EQ(s->response->der, std::string("\x30\x03\x0a\x01", 4).append("10000"));
  EXPECT_EQ(s->response->this_update, 10'000);
  EXPECT_EQ(s->response->next_update, 11'000);
  EXPECT_EQ(s->response->refresh_at, 10'500);
  EXPECT_EQ(s->response->responder_id, responder_);
  // The SHA-256 answer is another row; none is stored yet, but the certificate is known.
  const auto sha256 = status("5f3a", OcspHashAlgorithm::sha256);
  ASSERT_TRUE(sha256.has_value());
  EXPECT_FALSE(sha256->response.has_value());
  EXPECT_FALSE(status("5f3b").has_value());
  EXPECT_FALSE(status("5f3a", OcspHashAlgorithm::sha1, "bb22").has_value());
}

TEST_P(ContractOcsp, OnlyTheTruthIsStoredAndTheNewerOfTwoResponsesStays) {
  const auto c = certificate("5f3a", "C-00000001-01");
  EXPECT_FALSE(store(response(c.id, true, 10'000))) << "it is not revoked";
  EXPECT_TRUE(store(response(c.id, false, 20'000)));
  EXPECT_FALSE(store(response(c.id, false, 15'000))) << "an older one never replaces a newer";
  EXPECT_EQ(status("5f3a")->response->this_update, 20'000);
  EXPECT_TRUE(store(response(c.id, false, 30'000)));
  EXPECT_EQ(status("5f3a")->response->this_update, 30'000);
}

TEST_P(ContractOcsp, EveryRevocationForgetsTheStoredResponses) {
  const auto a = certificate("0a", "C-00000001-01");
  const auto b = certificate("0b", "C-00000002-01");
  EXPECT_EQ(db().read([](ReadTx& tx) { return tx.ocsp().ocsp_epoch(); }), 0);
  for (const auto& c : {a, b}) {
    EXPECT_TRUE(store(response(c.id, false, 10'000)));
    EXPECT_TRUE(store(response(c.id, false, 10'000, OcspHashAlgorithm::sha256)));
  }
  EXPECT_TRUE(db().write([&](WriteTx& tx) {
    return tx.certificates().revoke_certificate(a.id, 1, 12'000, std::nullopt);
  }));
  EXPECT_TRUE(db().write(
      [&](WriteTx& tx) { return tx.certificates().supersede_unused_certificate(b.id, 12'000); }));
  for (const auto* serial : {"0a", "0b"}) {
    for (const auto hash : {OcspHashAlgorithm::sha1, OcspHashAlgorithm::sha256}) {
      const auto s = status(serial, hash);
      ASSERT_TRUE(s.has_value());
      EXPECT_EQ(s->revoked_at, std::optional<Millis>(12'000));
      EXPECT_FALSE(s->response.has_value()) << serial;
    }
  }
  EXPECT_EQ(db().read([](ReadTx& tx) { return tx.ocsp().ocsp_epoch(); }), 2)
      << "each revocation tells the nodes' caches";
  // Any other statement that revokes (a path added later, the scheduler's unpicked ones) too.
  const auto c = certificate("0c", "C-00000003-01");
  EXPECT_TRUE(store(response(c.id, false, 10'000)));
  raw_rows(
      "UPDATE certificates SET status = 'revoked', revoked_at = 12000, "
      "revocation_reason = 5 WHERE serial_hex = '0c'");
  EXPECT_FALSE(status("0c")->response.has_value());
  EXPECT_EQ(db().read([](ReadTx& tx) { return tx.ocsp().ocsp_epoch(); }), 3);
  EXPECT_EQ(status("0a")->revocation_reason, std::optional<int>(1));
  EXPECT_EQ(status("0b")->revocation_reason, std::optional<int>(4));
  EXPECT_FALSE(store(response(a.id, false, 13'000))) << "no good answer after the revocation";
  EXPECT_TRUE(store(response(a.id, true, 13'000)));
  EXPECT_TRUE(status("0a")->response->revoked);
}

TEST_P(ContractOcsp, ARevocationRacingAGoodResponseNeverLeavesItStored) {
  for (int round = 0; round < 10; ++round) {
    const auto serial = "7" + std::to_string(round);
    const auto c = certificate(serial, "C-0000001" + std::to_string(round) + "-01");
    const auto failures = run_together(2, [&](int i) {
      if (i == 0) {
        db().write([&](WriteTx& tx) {
          return tx.certificates().revoke_certificate(c.id, 1, 12'000, std::nullopt);
        });
      } else {
        store(response(c.id, false, 11'000));
      }
    });
    EXPECT_TRUE(failures.empty()) << failures.front();
    const auto s = status(serial);
    EXPECT_TRUE(s->revoked_at.has_value());
    EXPECT_FALSE(s->response.has_value()) << "round " << round;
  }
}

TEST_P(ContractOcsp, TheSchedulerFindsMissingAndStaleResponses) {
  const auto live = certificate("01", "C-00000001-01", 500'000);
  const auto expired = certificate("02", "C-00000002-01", 50'000);
  const auto expired_revoked = certificate("03", "C-00000003-01", 50'000);
  const auto stored = certificate("04", "C-00000004-01", 500'000);
  EXPECT_TRUE(db().write([&](WriteTx& tx) {
    return tx.certificates().revoke_certificate(expired_revoked.id, 5, 40'000, std::nullopt);
  }));
  EXPECT_TRUE(store(response(stored.id, false, 90'000)));
  EXPECT_TRUE(store(response(stored.id, false, 95'000, OcspHashAlgorithm::sha256)));
  db().read([&](ReadTx& tx) {
    // At 100,000 the second certificate has expired unrevoked: nobody asks for it any more.
    const auto missing = tx.ocsp().ocsp_responses_missing(100'000, 0, 10);
    ASSERT_EQ(missing.size(), 2u);
    EXPECT_EQ(missing[0].certificate.certificate_id, live.id);
    EXPECT_EQ(missing[0].certificate.serial_hex, "01");
    EXPECT_EQ(missing[0].certificate.issuer_key_id, kIssuer);
    EXPECT_EQ(missing[0].hash, OcspHashAlgorithm::sha1);
    EXPECT_EQ(missing[1].certificate.certificate_id, expired_revoked.id);
    EXPECT_EQ(missing[1].certificate.revocation_reason, std::optional<int>(5));
    EXPECT_EQ(tx.ocsp().ocsp_responses_missing(100'000, live.id, 10).size(), 1u);
    EXPECT_EQ(tx.ocsp().ocsp_responses_missing(100'000, 0, 1).size(), 1u);
    // refresh_at 90,500 and 95,500: stale before 95,000 is only the first, oldest first.
    const auto stale = tx.ocsp().ocsp_responses_stale(100'000, 95'000, 10);
    ASSERT_EQ(stale.size(), 1u);
    EXPECT_EQ(stale[0].certificate.certificate_id, stored.id);
    EXPECT_EQ(stale[0].hash, OcspHashAlgorithm::sha1);
    const auto both = tx.ocsp().ocsp_responses_stale(100'000, 96'000, 10);
    ASSERT_EQ(both.size(), 2u);
    EXPECT_EQ(both[1].hash, OcspHashAlgorithm::sha256);
    // Once the certificate has expired its responses are no longer refreshed.
    EXPECT_TRUE(tx.ocsp().ocsp_responses_stale(600'000, 700'000, 10).empty());
  });
  (void)expired;
}

INSTANTIATE_TEST_SUITE_P(Backends, ContractOcsp, ::testing::ValuesIn(backends()), backend_name);

}  // namespace
}  // namespace onshi::store::contract
