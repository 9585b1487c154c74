// The store contract, CRLs (issue 16): numbers reserved once and never again, also in parallel;
// a CRL recorded once; the latest and the delta base of each issuer; and the revoked
// certificates a CRL lists, chosen by issuer, expiry and revocation time. Every backend must
// pass it.
#include <algorithm>
#include <set>

#include "contract_env.hpp"

namespace onshi::store::contract {
namespace {

class ContractCrls : public StoreContract {
 protected:
  static CrlRecord row(const std::string& issuer, Millis this_update, Millis next_update,
                       std::optional<std::int64_t> base = std::nullopt) {
    CrlRecord r;
    r.issuer_key_id = issuer;
    r.delta_base = base;
    r.this_update = this_update;
    r.next_update = next_update;
    r.created_at = this_update;
    return r;
  }
  std::int64_t reserve(const CrlRecord& r) {
    return db().write([&](WriteTx& tx) { return tx.crls().reserve_crl(r); });
  }
  bool record(const std::string& issuer, std::int64_t number, const std::string& der,
              std::int64_t seen = 0) {
    return db().write([&](WriteTx& tx) { return tx.crls().record_crl(issuer, number, der, seen); });
  }
  std::optional<CrlRecord> latest(const std::string& issuer, bool delta, bool with_der = true) {
    return db().read([&](ReadTx& tx) { return tx.crls().latest_crl(issuer, delta, with_der); });
  }

  // A certificate of `issuer`, expiring at `not_after`, revoked at `revoked_at` when given.
  void certificate(const std::string& serial, const std::string& issuer, Millis not_after,
                   std::optional<Millis> revoked_at = std::nullopt, int reason = 1,
                   std::optional<Millis> invalidity = std::nullopt) {
    if (c_.institution == 0) c_ = clinic("1310123455", "a@example.jp");
    auto rec = certificate_record(c_.institution, c_.application.id, serial,
                                  std::string("C-00000001-").append(serial));
    rec.issuer_key_id = issuer;
    rec.not_after = not_after;
    ASSERT_TRUE(
        db().write([&](WriteTx& tx) { return tx.certificates().try_insert_certificate(rec); }));
    if (!revoked_at) return;
    ASSERT_TRUE(db().write([&](WriteTx& tx) {
      const auto id = tx.certificates().find_certificate_by_serial(serial)->id;
      return tx.certificates().revoke_certificate(id, reason, *revoked_at, invalidity);
    }));
  }
  std::vector<RevokedEntry> scan(const RevokedScan& s) {
    return db().read([&](ReadTx& tx) {
      std::vector<RevokedEntry> out;
      tx.crls().scan_revoked(s, [&](const RevokedEntry& e) { out.push_back(e); });
      return out;
    });
  }
  static std::vector<std::string> serials(const std::vector<RevokedEntry>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) out.push_back(e.serial_hex);
    return out;
  }

  Clinic c_;
};

TEST_P(ContractCrls, NumbersGrowPerIssuerAndAReservationKeepsItsNumber) {
  EXPECT_EQ(reserve(row("aa", 1000, 2000)), 1);
  EXPECT_EQ(reserve(row("aa", 1000, 2000, 1)), 2);
  EXPECT_EQ(reserve(row("bb", 1000, 2000)), 1) << "each issuer has its own sequence";
  ASSERT_TRUE(record("aa", 1, "full"));
  // Number 2 was never recorded (a crash while signing): it stays used.
  EXPECT_EQ(reserve(row("aa", 3000, 4000)), 3);
  EXPECT_FALSE(latest("aa", true)) << "an unrecorded reservation is not published";
  EXPECT_EQ(latest("aa", false)->crl_number, 1);
}

TEST_P(ContractCrls, ParallelReservationsNeverShareANumber) {
  std::mutex m;
  std::set<std::int64_t> numbers;
  const auto failures = run_together(8, [&](int) {
    const auto n = reserve(row("aa", 1000, 2000));
    std::lock_guard lock(m);
    numbers.insert(n);
  });
  EXPECT_TRUE(failures.empty()) << failures.front();
  EXPECT_EQ(numbers, (std::set<std::int64_t>{1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST_P(ContractCrls, ACrlIsRecordedOnceWithItsBytes) {
  const auto n = reserve(row("aa", 1000, 2000));
  const std::string der("\x30\x82\x00\x00\xff", 5);  // bytes, a NUL among them
  EXPECT_TRUE(record("aa", n, der, 17));
  EXPECT_FALSE(record("aa", n, "other")) << "recorded already";
  EXPECT_FALSE(record("aa", 99, "other")) << "never reserved";
  const auto stored = latest("aa", false);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->der, der);
  EXPECT_EQ(stored->revoked_seen, 17);
  EXPECT_EQ(stored->this_update, 1000);
  EXPECT_EQ(stored->next_update, 2000);
  EXPECT_FALSE(stored->delta_base);
  EXPECT_TRUE(stored->recorded);
  EXPECT_TRUE(latest("aa", false, false)->der.empty()) << "read without its bytes";
}

TEST_P(ContractCrls, LatestOfEachKindAndTheOldestValidFullCrl) {
  record("aa", reserve(row("aa", 100, 1100)), "full 1");
  record("aa", reserve(row("aa", 100, 1100, 1)), "delta 2");
  record("aa", reserve(row("aa", 600, 1600)), "full 3");
  record("aa", reserve(row("aa", 600, 1600, 1)), "delta 4");
  EXPECT_EQ(latest("aa", false)->der, "full 3");
  EXPECT_EQ(latest("aa", true)->der, "delta 4");
  EXPECT_EQ(latest("aa", true)->delta_base, std::optional<std::int64_t>(1));
  auto oldest = [&](Millis now) {
    return db().read([&](ReadTx& tx) { return tx.crls().oldest_valid_full_crl("aa", now); });
  };
  EXPECT_EQ(oldest(700)->crl_number, 1);
  EXPECT_EQ(oldest(1100)->crl_number, 3) << "full 1 expired at 1100";
  EXPECT_FALSE(oldest(1600));
  EXPECT_FALSE(latest("bb", false));
}

TEST_P(ContractCrls, AReservationIsInFlightUntilRecordedOrOld) {
  const auto n = reserve(row("aa", 1000, 2000));
  auto in_flight = [&](Millis after) {
    return db().read([&](ReadTx& tx) { return tx.crls().crl_in_flight("aa", after); });
  };
  EXPECT_TRUE(in_flight(500));
  EXPECT_FALSE(in_flight(1000)) << "reserved at 1000, not after it";
  EXPECT_FALSE(db().read([&](ReadTx& tx) { return tx.crls().crl_in_flight("bb", 0); }));
  record("aa", n, "full");
  EXPECT_FALSE(in_flight(500));
}

TEST_P(ContractCrls, RevokedCertificatesByIssuerExpiryAndRevocationTime) {
  certificate("0c", "aa", 9000, 2000, 1, 1500);
  certificate("0a", "aa", 5000, 3000, 5);
  certificate("0b", "aa", 9000, 4000, 0);
  certificate("0d", "aa", 9000);           // not revoked
  certificate("0e", "bb", 9000, 2500, 4);  // another CA's

  auto all = scan({"aa", 0, 0, 10'000});
  ASSERT_EQ(serials(all), (std::vector<std::string>{"0a", "0b", "0c"})) << "in serial order";
  EXPECT_EQ(all[2].revoked_at, 2000);
  EXPECT_EQ(all[2].reason, 1);
  EXPECT_EQ(all[2].invalidity_date, std::optional<Millis>(1500));
  EXPECT_EQ(all[1].reason, 0);
  EXPECT_FALSE(all[1].invalidity_date);

  // A full CRL after a previous one at 6000 drops 0a, which expired at 5000 and was listed then.
  EXPECT_EQ(serials(scan({"aa", 6000, 0, 10'000})), (std::vector<std::string>{"0b", "0c"}));
  EXPECT_EQ(serials(scan({"aa", 5000, 0, 10'000})), (std::vector<std::string>{"0a", "0b", "0c"}))
      << "notAfter at the previous thisUpdate: still listed";
  // A delta since 2500, and a CRL whose thisUpdate is before a revocation.
  EXPECT_EQ(serials(scan({"aa", 0, 2500, 10'000})), (std::vector<std::string>{"0a", "0b"}));
  EXPECT_EQ(serials(scan({"aa", 0, 0, 3000})), (std::vector<std::string>{"0a", "0c"}));

  auto count = [&](const std::string& issuer, Millis until) {
    return db().read([&](ReadTx& tx) { return tx.crls().revoked_count(issuer, until); });
  };
  EXPECT_EQ(count("aa", 10'000), 3);
  EXPECT_EQ(count("aa", 3000), 2);
  EXPECT_EQ(count("bb", 10'000), 1);
  EXPECT_EQ(count("cc", 10'000), 0);

  auto valid = [&](const std::string& issuer, Millis at) {
    return db().read([&](ReadTx& tx) { return tx.crls().issued_valid_at(issuer, at); });
  };
  EXPECT_TRUE(valid("aa", 9000));
  EXPECT_FALSE(valid("aa", 9001));
  EXPECT_FALSE(valid("cc", 0));
}

INSTANTIATE_TEST_SUITE_P(Backends, ContractCrls, ::testing::ValuesIn(backends()), backend_name);

}  // namespace
}  // namespace onshi::store::contract
