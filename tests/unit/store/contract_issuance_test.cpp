// The issuance repository's contract: a serial is reserved once for ever (certified before or
// reserved, issued or abandoned), one live reservation per position of an application, and a
// reservation settles once, whoever tries.
#include "contract_env.hpp"

namespace onshi::store::contract {
namespace {

class ContractIssuance : public StoreContract {
 protected:
  static IssuanceReservation reservation(const Clinic& c, int position, const std::string& serial,
                                         Millis at) {
    IssuanceReservation r;
    r.application_id = c.application.id;
    r.position = position;
    r.public_key_der = std::string("\x30\x59\x00", 3);
    r.reserved_at = at;
    r.planned = certificate_record(c.institution, c.application.id, serial,
                                   c.application.number + "-0" + std::to_string(position));
    r.planned.issued_by = std::nullopt;
    r.planned.sealed_key = "sealed key";
    r.planned.sealed_pickup_code = "sealed code";
    return r;
  }
};

TEST_P(ContractIssuance, ASerialIsReservedOnceAndAPositionOnceWhileLive) {
  const Clinic c = clinic("1310123455", "a@example.jp");
  const auto first = db().write(
      [&](WriteTx& tx) { return tx.issuance().try_reserve(reservation(c, 1, "aa01", 100)); });
  ASSERT_TRUE(first.has_value());
  db().write([&](WriteTx& tx) {
    EXPECT_FALSE(tx.issuance().try_reserve(reservation(c, 2, "aa01", 100))) << "taken serial";
    EXPECT_FALSE(tx.issuance().try_reserve(reservation(c, 1, "bb02", 100))) << "live position";
    EXPECT_TRUE(tx.issuance().try_reserve(reservation(c, 2, "bb02", 100)));
  });
  db().read([&](ReadTx& tx) {
    const auto live = tx.issuance().reserved_for(c.application.id);
    ASSERT_EQ(live.size(), 2u);
    EXPECT_EQ(live[0].position, 1);
    EXPECT_EQ(live[0].planned.serial_hex, "aa01");
    EXPECT_EQ(live[0].public_key_der, std::string("\x30\x59\x00", 3)) << "bytes, not text";
    EXPECT_EQ(live[1].planned.issuance_number, c.application.number + "-02");
    EXPECT_EQ(live[0].planned.sealed_key, std::optional<std::string>("sealed key"));
  });
  // Settled once: the second try (the sweeper after the issuer, or the reverse) changes nothing.
  db().write([&](WriteTx& tx) {
    EXPECT_TRUE(tx.issuance().settle_reservation(*first, false, 200));
    EXPECT_FALSE(tx.issuance().settle_reservation(*first, true, 201));
  });
  // A settled reservation forgets the sealed key and pickup code it held.
  EXPECT_EQ(raw_rows("SELECT coalesce(sealed_key, 'gone'), coalesce(sealed_pickup_code, 'gone') "
                     "FROM issuance_reservations WHERE id = " +
                     std::to_string(*first)),
            (std::vector<std::vector<std::string>>{{"gone", "gone"}}));
  db().write([&](WriteTx& tx) {
    // The position is free again, the abandoned serial is not.
    EXPECT_FALSE(tx.issuance().try_reserve(reservation(c, 1, "aa01", 300)));
    EXPECT_TRUE(tx.issuance().try_reserve(reservation(c, 1, "cc03", 300)));
  });
}

TEST_P(ContractIssuance, ASerialCertifiedBeforeReservationsExistedIsTakenToo) {
  const Clinic c = clinic("1310123455", "a@example.jp");
  EXPECT_TRUE(db().write([&](WriteTx& tx) {
    return tx.certificates().try_insert_certificate(
        certificate_record(c.institution, c.application.id, "dd04", "C-00000009-01"));
  }));
  EXPECT_FALSE(db().write(
      [&](WriteTx& tx) { return tx.issuance().try_reserve(reservation(c, 1, "dd04", 100)); }));
}

TEST_P(ContractIssuance, OnlyReservationsOlderThanTheCutOffAreStale) {
  const Clinic c = clinic("1310123455", "a@example.jp");
  db().write([&](WriteTx& tx) {
    ASSERT_TRUE(tx.issuance().try_reserve(reservation(c, 1, "ee05", 100)));
    ASSERT_TRUE(tx.issuance().try_reserve(reservation(c, 2, "ff06", 500)));
  });
  db().read([&](ReadTx& tx) {
    const auto stale = tx.issuance().reserved_before(500);
    ASSERT_EQ(stale.size(), 1u);
    EXPECT_EQ(stale[0].planned.serial_hex, "ee05");
    EXPECT_EQ(tx.issuance().reserved_before(501).size(), 2u);
  });
}

TEST_P(ContractIssuance, OfParallelReservationsOfOnePositionExactlyOneIsLive) {
  const Clinic c = clinic("1310123455", "a@example.jp");
  std::atomic<int> won = 0;
  const auto errors = run_together(8, [&](int i) {
    const bool ok = db().write([&](WriteTx& tx) {
      return tx.issuance()
          .try_reserve(reservation(c, 1, "ab" + std::to_string(10 + i), 100))
          .has_value();
    });
    if (ok) ++won;
  });
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(won.load(), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, ContractIssuance, ::testing::ValuesIn(backends()), backend_name);

}  // namespace
}  // namespace onshi::store::contract
