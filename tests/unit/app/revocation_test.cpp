// 失効 by an operator on the use case, with a real CA and a settable clock: the reasons the CPS
// allows, keyCompromise's date, once only, never after expiry, roles, the audit record and the
// institution's mail, and a revoked certificate that no pickup opens again.
#include <gtest/gtest.h>

#include "app/ca/pickup.hpp"
#include "app/ca/revocation.hpp"
#include "app/core/outbox.hpp"
#include "issued_fixture.hpp"
#include "support/error_of.hpp"
#include "util/text.hpp"

namespace onshi::app {
namespace {

using onshi::test::error_of;
using namespace std::chrono;

class RevocationTest : public test::IssuedTest {
 protected:
  Result<store::CertificateRecord> revoke(const std::string& what, const std::string& reason,
                                          std::optional<std::string> since = std::nullopt,
                                          const Actor* by = nullptr) {
    return revoke_certificate(env.services, by ? *by : issuer, {what, reason, since});
  }
};

TEST_F(RevocationTest, AnIssuerRevokesByNumberOnceAndForAll) {
  const auto c = issue("2", "r1");
  const auto mails = pending_mail_count(env.services);
  auto r = revoke(c[0].number, "superseded");
  ASSERT_TRUE(r.has_value()) << error_of(r).key;
  EXPECT_EQ(r->status, domain::CertificateState::revoked);
  EXPECT_EQ(r->revocation_reason, static_cast<int>(domain::RevocationReason::superseded));
  EXPECT_EQ(r->revoked_at, env.services.now_ms());
  EXPECT_FALSE(r->sealed_key.has_value()) << "a revoked certificate's key is destroyed";
  EXPECT_EQ(pending_mail_count(env.services), mails + 1) << "the institution is told";
  EXPECT_EQ(error_of(revoke(c[0].number, "unspecified")).key, "certificate.already_revoked");
  EXPECT_EQ(error_of(open_pickup(env.services, {c[0].number, c[0].code, "192.0.2.1"})).key,
            "pickup.revoked");
  EXPECT_EQ(current(c[1].number).status, domain::CertificateState::issued) << "only that one";
  env.db->read([&](store::ReadTx& tx) {
    store::AuditFilter f;
    f.action_prefix = "certificate.revoke";
    const auto entries = tx.audit().audit_entries(f);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].subject, c[0].number);
    EXPECT_NE(entries[0].detail.find("\"reason\":\"superseded\""), std::string::npos)
        << entries[0].detail;
  });
}

TEST_F(RevocationTest, BySerialWithKeyCompromiseAndItsDate) {
  const auto c = issue("1", "r2");
  const auto serial = current(c[0].number).serial_hex;
  // Pasted from a page, where a serial reads in fours.
  auto r = revoke(util::group_serial(serial), "keyCompromise", "２０２６－１１－２０");
  ASSERT_TRUE(r.has_value()) << error_of(r).key;
  // 2026-11-20 00:00 in Japan.
  EXPECT_EQ(
      r->invalidity_date,
      duration_cast<milliseconds>((sys_days{2026y / November / 19d} + hours{15}).time_since_epoch())
          .count());
}

TEST_F(RevocationTest, RefusalsSayWhatIsWrongAndChangeNothing) {
  const auto c = issue("1", "r3");
  auto fields = [](const Result<store::CertificateRecord>& r) {
    std::vector<std::string> out;
    for (const auto& f : error_of(r).fields) out.push_back(f.field + ":" + f.key);
    return out;
  };
  EXPECT_EQ(fields(revoke(c[0].number, "certificateHold")),
            std::vector<std::string>{"reason:revocation.reason_unknown"})
      << "never suspended";
  EXPECT_EQ(fields(revoke(c[0].number, "cACompromise")),
            std::vector<std::string>{"reason:revocation.reason_unknown"});
  EXPECT_EQ(fields(revoke(c[0].number, " ")),
            std::vector<std::string>{"reason:admin_revocation.reason_missing"})
      << "the back office's form sent without a reason";
  EXPECT_EQ(fields(revoke(c[0].number, "superseded", "2026-11-20")),
            std::vector<std::string>{"compromised_since:revocation.since_needs_key_compromise"});
  EXPECT_EQ(fields(revoke(c[0].number, "keyCompromise", "2026-12-31")),
            std::vector<std::string>{"compromised_since:revocation.since_in_future"});
  EXPECT_EQ(error_of(revoke("C-99999999-01", "superseded")).key, "certificate.not_found");
  EXPECT_EQ(error_of(revoke(c[0].number, "superseded", std::nullopt, &reviewer)).key,
            "review.forbidden");
  EXPECT_EQ(current(c[0].number).status, domain::CertificateState::issued);
  env.clock.advance(days{40 * 31});
  EXPECT_EQ(error_of(revoke(c[0].number, "superseded")).key, "certificate.already_expired");
}

TEST_F(RevocationTest, TheListFiltersByInstitutionAndStatus) {
  const auto c = issue("2", "r4");
  ASSERT_TRUE(revoke(c[1].number, "cessationOfOperation").has_value());
  const auto all = list_certificates(env.services, {});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].issuance_number, c[1].number) << "newest first";
  const auto revoked =
      list_certificates(env.services, {std::nullopt, domain::CertificateState::revoked, 100});
  ASSERT_EQ(revoked.size(), 1u);
  EXPECT_EQ(revoked[0].issuance_number, c[1].number);
  EXPECT_EQ(list_certificates(env.services, {user.institution.code, std::nullopt, 100}).size(), 2u);
  EXPECT_TRUE(list_certificates(env.services, {"1310123463", std::nullopt, 100}).empty());
}

TEST_F(RevocationTest, TheConfirmationsCheckRevokesNothing) {
  const auto c = issue("1", "r5");
  const auto checked = check_revocation(env.services, issuer, {c[0].number, "keyCompromise", {}});
  ASSERT_TRUE(checked.has_value()) << error_of(checked).key;
  EXPECT_EQ(checked->issuance_number, c[0].number);
  EXPECT_EQ(current(c[0].number).status, domain::CertificateState::issued);
  EXPECT_EQ(error_of(check_revocation(env.services, reviewer, {c[0].number, "superseded", {}})).key,
            "review.forbidden");
  ASSERT_TRUE(revoke(c[0].number, "superseded").has_value());
  EXPECT_EQ(error_of(check_revocation(env.services, issuer, {c[0].number, "superseded", {}})).key,
            "certificate.already_revoked");
}

}  // namespace
}  // namespace onshi::app
