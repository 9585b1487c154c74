// The scheduler's revocation of certificates never picked up (CPIPCS 4.4.4), on the settable clock:
// not before the pickup deadline plus pki.unpicked_revocation_grace_days, a reprint in the grace
// days renewing the deadline, a picked-up certificate never touched, the key destroyed, an audit
// record by system and one mail per application; run again, or twice at once, it does nothing more.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "app/ca/unpicked_revocation.hpp"
#include "app/core/housekeeping.hpp"
#include "app/office/notice_letters.hpp"
#include "issued_fixture.hpp"
#include "support/error_of.hpp"

namespace onshi::app {
namespace {

using onshi::test::error_of;
using namespace std::chrono;

class UnpickedRevocationTest : public test::IssuedTest {
 protected:
  // From issue to the end of the grace days after the pickup deadline.
  days until_due() const {
    return days{env.config.pickup_valid_days + env.config.unpicked_revocation_grace_days};
  }
  std::vector<store::AuditRecord> revocations() {
    return env.db->read([&](store::ReadTx& tx) {
      store::AuditFilter f;
      f.action_prefix = "certificate.revoke";
      return tx.audit().audit_entries(f);
    });
  }
};

TEST_F(UnpickedRevocationTest, RevokedOnceTheGraceDaysAfterTheDeadlineAreOver) {
  ASSERT_EQ(env.config.unpicked_revocation_grace_days, 14) << "the default";
  const auto c = issue("3", "u1");
  auto grant = open_pickup(env.services, {c[2].number, c[2].code, "192.0.2.10"});
  ASSERT_TRUE(grant.has_value()) << error_of(grant).key;
  ASSERT_TRUE(download_chain(env.services, *grant, ChainFormat::pem, "192.0.2.10").has_value());
  Housekeeping h(env.services, {{"unpicked certificate(s) revoked", revoke_unpicked_certificates}});

  env.clock.advance(days{env.config.pickup_valid_days} + hours{1});
  EXPECT_EQ(h.run_once(), std::vector<int>{0}) << "the window is over, the grace is not";
  EXPECT_EQ(error_of(open_pickup(env.services, {c[0].number, c[0].code, "192.0.2.11"})).key,
            "pickup.window_over");
  env.clock.advance(days{env.config.unpicked_revocation_grace_days} - hours{2});
  EXPECT_EQ(h.run_once(), std::vector<int>{0}) << "an hour before the grace ends";
  const auto mails = env.pending_mail();
  env.clock.advance(hours{2});
  EXPECT_EQ(h.run_once(), std::vector<int>{2});
  for (const auto& i : {0, 1}) {
    const auto r = current(c[i].number);
    EXPECT_EQ(r.status, domain::CertificateState::revoked) << c[i].number;
    EXPECT_EQ(r.revocation_reason,
              static_cast<int>(domain::RevocationReason::cessation_of_operation));
    EXPECT_EQ(r.revoked_at, env.services.now_ms());
    EXPECT_FALSE(r.sealed_key.has_value()) << "the key the CA kept is destroyed";
    EXPECT_EQ(r.pickup_closed_how, store::PickupClosed::expired);
  }
  EXPECT_EQ(current(c[2].number).status, domain::CertificateState::active) << "picked up";
  EXPECT_EQ(error_of(open_pickup(env.services, {c[0].number, c[0].code, "192.0.2.11"})).key,
            "pickup.revoked");

  const auto audit = revocations();
  ASSERT_EQ(audit.size(), 2u);
  for (const auto& e : audit) {
    EXPECT_EQ(e.actor, "system");
    EXPECT_NE(e.detail.find("\"reason\":\"cessationOfOperation\""), std::string::npos);
    EXPECT_NE(e.detail.find("\"why\":\"unpicked\""), std::string::npos);
  }
  EXPECT_EQ(env.pending_mail(), mails + 1) << "one mail for the application";
  const auto mail = env.due_mail().back();
  EXPECT_EQ(mail.to, test::kClinicEmail);
  EXPECT_NE(mail.subject.find("取得されなかった電子証明書を失効しました"), std::string::npos);
  EXPECT_NE(mail.body.find(c[0].number), std::string::npos);
  EXPECT_NE(mail.body.find(c[1].number), std::string::npos);
  EXPECT_EQ(mail.body.find(c[2].number), std::string::npos);

  EXPECT_EQ(h.run_once(), std::vector<int>{0}) << "once";
  EXPECT_EQ(revocations().size(), 2u);
  EXPECT_EQ(env.pending_mail(), mails + 1);
}

TEST_F(UnpickedRevocationTest, AReprintInTheGraceDaysRenewsTheDeadline) {
  const auto c = issue("1", "u2");
  const auto number = c[0].number.substr(0, c[0].number.size() - 3);
  ASSERT_TRUE(print_notice_letters(env.services, issuer, {}, {number}).has_value());
  env.clock.advance(days{env.config.pickup_valid_days} + days{3});
  // The clinic calls after its deadline: the desk still prints a new letter.
  auto reprinted = reprint_notice_letter(env.services, issuer, number);
  ASSERT_TRUE(reprinted.has_value()) << error_of(reprinted).key;
  env.clock.advance(days{env.config.unpicked_revocation_grace_days});
  EXPECT_EQ(revoke_unpicked_certificates(env.services), 0) << "the new deadline counts";
  EXPECT_EQ(current(c[0].number).status, domain::CertificateState::issued);
  env.clock.advance(until_due());
  EXPECT_EQ(revoke_unpicked_certificates(env.services), 1);
}

TEST_F(UnpickedRevocationTest, TwoNodesAtOnceRevokeEachCertificateOnce) {
  const auto c = issue("4", "u3");
  env.clock.advance(until_due() + hours{1});
  std::atomic<int> total{0};
  std::vector<std::thread> nodes;
  for (int i = 0; i < 2; ++i) {
    nodes.emplace_back([&] { total += revoke_unpicked_certificates(env.services); });
  }
  for (auto& t : nodes) t.join();
  EXPECT_EQ(total.load(), 4);
  EXPECT_EQ(revocations().size(), 4u) << "one audit record each";
  for (const auto& x : c) EXPECT_EQ(current(x.number).status, domain::CertificateState::revoked);
}

TEST_F(UnpickedRevocationTest, TheGraceIsConfigurable) {
  env.config.unpicked_revocation_grace_days = 0;
  const auto c = issue("1", "u4");
  env.clock.advance(days{env.config.pickup_valid_days} - minutes{1});
  EXPECT_EQ(revoke_unpicked_certificates(env.services), 0);
  env.clock.advance(minutes{2});
  EXPECT_EQ(revoke_unpicked_certificates(env.services), 1);
  EXPECT_EQ(current(c[0].number).status, domain::CertificateState::revoked);
}

}  // namespace
}  // namespace onshi::app
