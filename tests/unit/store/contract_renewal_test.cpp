// The store contract, part 9: 更新 (migration 0019) — an application's kind, the certificates a
// renewal application renews, which 発行番号 have a renewal under way, and the certificates
// replaced by renewal whose overlap after the successor's first download is over. Every backend
// must pass it.
#include <algorithm>

#include "contract_env.hpp"

namespace onshi::store::contract {
namespace {

class ContractRenewal : public StoreContract {
 protected:
  void SetUp() override {
    StoreContract::SetUp();
    c_ = clinic("1310123455", "a@example.jp");
  }
  CertificateRecord stored(const std::string& serial, const std::string& number, int generation = 1,
                           Id application_id = 0) {
    auto rec = certificate_record(
        c_.institution, application_id ? application_id : c_.application.id, serial, number);
    rec.generation = generation;
    rec.not_after = 100'000;
    EXPECT_TRUE(
        db().write([&](WriteTx& tx) { return tx.certificates().try_insert_certificate(rec); }));
    return *db().read(
        [&](ReadTx& tx) { return tx.certificates().find_certificate_by_serial(serial); });
  }
  CertificateApplicationRecord renewal(const std::string& key) {
    auto r = certificate_application_record(c_.institution, c_.account, c_.usage.id, key);
    r.kind = ApplicationKind::renewal;
    return db().write([&](WriteTx& tx) {
      return tx.certificate_applications().insert_certificate_application(r);
    });
  }
  void item(Id application_id, int position, const CertificateRecord& c) {
    RenewalItem i;
    i.application_id = application_id;
    i.position = position;
    i.certificate_id = c.id;
    i.issuance_number = c.issuance_number;
    db().write([&](WriteTx& tx) { tx.certificate_applications().insert_renewal_item(i); });
  }
  Clinic c_;
};

TEST_P(ContractRenewal, AnApplicationKeepsItsKind) {
  const auto r = renewal("renew-key");
  db().read([&](ReadTx& tx) {
    EXPECT_EQ(tx.certificate_applications().find_certificate_application_by_id(r.id)->kind,
              ApplicationKind::renewal);
    EXPECT_EQ(
        tx.certificate_applications().find_certificate_application_by_id(c_.application.id)->kind,
        ApplicationKind::new_certificates)
        << "an application stored without a kind is a first one";
    const auto all = tx.certificate_applications().certificate_applications_of(c_.institution);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all.front().kind, ApplicationKind::renewal);
  });
}

TEST_P(ContractRenewal, ARenewalNamesItsCertificatesByPosition) {
  const auto one = stored("r1", "C-00000001-01");
  const auto two = stored("r2", "C-00000001-02");
  const auto r = renewal("renew-key");
  item(r.id, 2, one);
  item(r.id, 1, two);
  const auto items =
      db().read([&](ReadTx& tx) { return tx.certificate_applications().renewal_items(r.id); });
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].position, 1);
  EXPECT_EQ(items[0].certificate_id, two.id);
  EXPECT_EQ(items[0].issuance_number, "C-00000001-02");
  EXPECT_EQ(items[1].issuance_number, "C-00000001-01");
  EXPECT_TRUE(db().read([&](ReadTx& tx) {
    return tx.certificate_applications().renewal_items(c_.application.id).empty();
  }));
  EXPECT_THROW(db().write([&](WriteTx& tx) {
    RenewalItem again;
    again.application_id = r.id;
    again.position = 1;
    again.certificate_id = one.id;
    again.issuance_number = one.issuance_number;
    tx.certificate_applications().insert_renewal_item(again);
  }),
               std::exception)
      << "one certificate per position";
}

TEST_P(ContractRenewal, OnlyRenewalsUnderWayCountAsBeingRenewed) {
  const auto one = stored("r1", "C-00000001-01");
  const auto two = stored("r2", "C-00000001-02");
  const auto under_way = renewal("renew-1");
  item(under_way.id, 1, one);
  const auto withdrawn = renewal("renew-2");
  item(withdrawn.id, 1, two);
  db().write([&](WriteTx& tx) {
    EXPECT_TRUE(tx.certificate_applications().set_certificate_application_status(
        withdrawn.id, st("applied"), st("cancelled"), "", 4000));
  });
  auto numbers = db().read([&](ReadTx& tx) {
    return tx.certificate_applications().numbers_being_renewed(c_.institution);
  });
  EXPECT_EQ(numbers, std::vector<std::string>{"C-00000001-01"});

  for (const auto* to : {"under_review", "approved"}) {
    db().write([&](WriteTx& tx) {
      const auto a = tx.certificate_applications().find_certificate_application_by_id(under_way.id);
      tx.certificate_applications().set_certificate_application_status(a->id, a->status, st(to), "",
                                                                       4000);
    });
    numbers = db().read([&](ReadTx& tx) {
      return tx.certificate_applications().numbers_being_renewed(c_.institution);
    });
    EXPECT_EQ(numbers.size(), 1u) << to;
  }
  db().write([&](WriteTx& tx) {
    tx.certificate_applications().set_certificate_application_status(under_way.id, st("approved"),
                                                                     st("issued"), "", 4000);
  });
  EXPECT_TRUE(db().read([&](ReadTx& tx) {
    return tx.certificate_applications().numbers_being_renewed(c_.institution).empty();
  })) << "issued: the number's current certificate is the new one";
  const auto other = institution("1310123463", "他院");
  EXPECT_TRUE(db().read([&](ReadTx& tx) {
    return tx.certificate_applications().numbers_being_renewed(other).empty();
  }));
}

TEST_P(ContractRenewal, ARenewedCertificateIsDueOnceItsSuccessorWasPickedUpBeforeTheCut) {
  const auto old = stored("o1", "C-00000001-01");
  const auto r = renewal("renew-key");
  EXPECT_TRUE(
      db().write([&](WriteTx& tx) { return tx.certificates().mark_renewed(old.id, 5000); }));
  const auto next = stored("n1", "C-00000001-01", 2, r.id);
  const auto due = [&](Millis cut, Millis now) {
    return db().read([&](ReadTx& tx) { return tx.certificates().renewed_past_overlap(cut, now); });
  };
  EXPECT_TRUE(due(1'000'000, 6000).empty()) << "the successor is not picked up";
  EXPECT_TRUE(
      db().write([&](WriteTx& tx) { return tx.certificates().mark_picked_up(next.id, 7000); }));
  EXPECT_TRUE(due(6999, 8000).empty()) << "picked up after the cut: the overlap runs";
  auto found = due(7000, 8000);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].serial_hex, "o1");
  EXPECT_TRUE(found[0].renewed);
  EXPECT_TRUE(due(7000, 100'000).empty()) << "expired: nothing relies on it any more";

  // A certificate replaced otherwise (superseded) or not replaced is never due; one revoked is
  // done.
  const auto plain = stored("p1", "C-00000001-02");
  EXPECT_EQ(due(1'000'000, 8000).size(), 1u);
  EXPECT_TRUE(db().write([&](WriteTx& tx) {
    return tx.certificates().revoke_certificate(old.id, 4, 9000, std::nullopt);
  }));
  EXPECT_TRUE(due(1'000'000, 9500).empty());
  (void)plain;
}

INSTANTIATE_TEST_SUITE_P(Backends, ContractRenewal, ::testing::ValuesIn(backends()), backend_name);

}  // namespace
}  // namespace onshi::store::contract
