// Issuance in steps (app/ca/issuance.hpp): serials reserved in one transaction, signed outside any
// transaction, stored in a second one; a reservation left between the two by a crash blocks a
// second issuer while it is fresh and is abandoned, serial and all, once it is stale.
#include <gtest/gtest.h>

#include "app/ca/issuance.hpp"
#include "app/core/audit.hpp"
#include "back_office_fixture.hpp"
#include "support/error_of.hpp"

namespace onshi::test {
namespace {

using onshi::test::error_of;

class IssuanceStepsTest : public BackOfficeTest {
 protected:
  std::string approved(const std::string& key) {
    const auto number = apply("2", key);
    EXPECT_TRUE(decide(env.services, reviewer, number, Decision::approve, "").has_value());
    return number;
  }

  // A reservation as a node that died after step 1 would have left it.
  void leave_reservation(const std::string& number, const std::string& serial,
                         store::Millis reserved_at) {
    env.db->write([&](store::WriteTx& tx) {
      const auto a =
          tx.certificate_applications().find_certificate_application_by_number(number).value();
      store::IssuanceReservation r;
      r.application_id = a.id;
      r.position = 1;
      r.public_key_der = "key";
      r.reserved_at = reserved_at;
      r.planned.institution_id = a.institution_id;
      r.planned.serial_hex = serial;
      r.planned.issuance_number = number + "-01";
      r.planned.terminal = "T01";
      r.planned.spki_sha256 = "spki";
      r.planned.key_source = store::KeySource::generated;
      r.planned.pickup_code_hash = "hash";
      r.planned.pickup_expires_at = reserved_at;
      ASSERT_TRUE(tx.issuance().try_reserve(r).has_value());
    });
  }

  std::size_t reserved(const std::string& number) {
    return env.db->read([&](store::ReadTx& tx) {
      const auto a =
          tx.certificate_applications().find_certificate_application_by_number(number).value();
      return tx.issuance().reserved_for(a.id).size();
    });
  }

  int audit_count(const std::string& action) {
    int n = 0;
    store::AuditFilter f;
    f.action_prefix = action;
    f.limit = 1000;
    for (const auto& e : audit_log(env.services, f)) n += e.action == action ? 1 : 0;
    return n;
  }
};

TEST_F(IssuanceStepsTest, EveryCertificateIsReservedThenIssuedAndNoReservationIsLeft) {
  const auto number = approved("k1");
  const auto issued = issue_application(env.services, issuer, number);
  ASSERT_TRUE(issued.has_value()) << error_of(issued).key;
  EXPECT_EQ(reserved(number), 0u);
  EXPECT_EQ(audit_count("certificate.reserve"), 2);
  EXPECT_EQ(audit_count("certificate.issue"), 2);
  // Each certificate carries the serial its reservation took.
  const auto dossier = application_dossier(env.services, number);
  ASSERT_EQ(dossier->certificates.size(), 2u);
  EXPECT_EQ(dossier->certificates[0].serial_hex, (*issued)[0].serial_hex);
  EXPECT_EQ(status_of(number), "issued");
}

TEST_F(IssuanceStepsTest, AFreshReservationMeansAnotherIssuerIsSigningAndNothingIsStored) {
  const auto number = approved("k2");
  leave_reservation(number, "0a0b0c", env.services.now_ms());
  EXPECT_EQ(error_of(issue_application(env.services, issuer, number)).key,
            review_error_key(ReviewError::wrong_state));
  EXPECT_EQ(status_of(number), "approved");
  EXPECT_TRUE(application_dossier(env.services, number)->certificates.empty());
  EXPECT_EQ(reserved(number), 1u);
  // Nor does the sweeper touch it while it is fresh.
  EXPECT_EQ(resolve_interrupted_issuance(env.services), 0);
}

TEST_F(IssuanceStepsTest, AStaleReservationIsAbandonedAndItsSerialNeverComesBack) {
  const auto number = approved("k3");
  leave_reservation(number, "0d0e0f", env.services.now_ms());
  env.clock.advance(std::chrono::minutes(11));
  EXPECT_EQ(resolve_interrupted_issuance(env.services), 1);
  EXPECT_EQ(reserved(number), 0u);
  EXPECT_EQ(audit_count("certificate.reservation_abandoned"), 1);
  EXPECT_EQ(status_of(number), "approved");
  // The abandoned serial stays taken.
  env.db->write([&](store::WriteTx& tx) {
    const auto a =
        tx.certificate_applications().find_certificate_application_by_number(number).value();
    store::IssuanceReservation again;
    again.application_id = a.id;
    again.position = 2;
    again.public_key_der = "key";
    again.planned.institution_id = a.institution_id;
    again.planned.serial_hex = "0d0e0f";
    again.planned.issuance_number = number + "-02";
    again.planned.terminal = "T02";
    again.planned.spki_sha256 = "spki";
    again.planned.key_source = store::KeySource::generated;
    again.planned.pickup_code_hash = "hash";
    EXPECT_FALSE(tx.issuance().try_reserve(again).has_value());
  });
  // And the application issues as if nothing had happened.
  const auto issued = issue_application(env.services, issuer, number);
  ASSERT_TRUE(issued.has_value()) << error_of(issued).key;
  EXPECT_EQ(status_of(number), "issued");
}

TEST_F(IssuanceStepsTest, IssuingPastAStaleReservationAbandonsItFirst) {
  const auto number = approved("k4");
  leave_reservation(number, "101112", env.services.now_ms());
  env.clock.advance(std::chrono::minutes(11));
  const auto issued = issue_application(env.services, issuer, number);
  ASSERT_TRUE(issued.has_value()) << error_of(issued).key;
  EXPECT_EQ(audit_count("certificate.reservation_abandoned"), 1);
  for (const auto& t : *issued) EXPECT_NE(t.serial_hex, "101112");
}

}  // namespace
}  // namespace onshi::test
