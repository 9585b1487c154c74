// 更新 on the settable clock: which certificates may be renewed (from 90 days before notAfter,
// after it too, never one revoked or with a renewal under way), the renewal application with its
// fee, items, audit and mail, auto-approval of an unchanged institution, the issuance that keeps
// the terminal and 発行番号 with a new key and serial, and the old certificate revoked
// (superseded) once its successor was picked up pki.renewal_overlap_days ago.
#include <gtest/gtest.h>

#include "app/applications/renewal_applications.hpp"
#include "app/ca/renewal_overlap.hpp"
#include "app/core/housekeeping.hpp"
#include "issued_fixture.hpp"
#include "support/error_of.hpp"

namespace onshi::app {
namespace {

using onshi::test::error_of;
using namespace std::chrono;

class RenewalUseCaseTest : public test::IssuedTest {
 protected:
  // Two certificates issued and picked up, then the clock moved to `before_expiry` before the
  // first one's notAfter.
  std::vector<test::Issued> issued_and_near_expiry(hours before_expiry) {
    auto c = issue("2", "first");
    for (const auto& i : c) pick_up(i);
    const auto not_after = current(c[0].number).not_after;
    env.clock.set(util::from_unix(0) + milliseconds{not_after} - before_expiry);
    return c;
  }
  void pick_up(const test::Issued& i) {
    auto grant = open_pickup(env.services, {i.number, i.code, "192.0.2.10"});
    ASSERT_TRUE(grant.has_value()) << error_of(grant).key;
    ASSERT_TRUE(download_chain(env.services, *grant, ChainFormat::pem, "192.0.2.10").has_value());
  }
  RenewalForm form_for(const std::vector<std::string>& numbers, const std::string& key) {
    auto f = renewal_form_for(env.services, user);
    EXPECT_TRUE(f.has_value());
    f->certificates = numbers;
    f->idempotency_key = key;
    return *f;
  }
  std::vector<store::AuditRecord> audit(const std::string& prefix) {
    return env.db->read([&](store::ReadTx& tx) {
      store::AuditFilter f;
      f.action_prefix = prefix;
      return tx.audit().audit_entries(f);
    });
  }
  std::vector<std::string> renewable() {
    std::vector<std::string> out;
    for (const auto& c : renewable_certificates(env.services, user.institution.id))
      out.push_back(c.issuance_number);
    return out;
  }
};

TEST_F(RenewalUseCaseTest, RenewableFromNinetyDaysBeforeExpiryAndAfterIt) {
  auto c = issued_and_near_expiry(days{kRenewalWindowDays} + hours{1});
  EXPECT_TRUE(renewable().empty()) << "91 days before";
  EXPECT_EQ(error_of(check_renewal(env.services, user, form_for({c[0].number}, "k"))).key,
            "failure.invalid");
  env.clock.advance(hours{2});
  EXPECT_EQ(renewable(), (std::vector<std::string>{c[0].number, c[1].number}));
  env.clock.advance(days{kRenewalWindowDays + 30});
  EXPECT_EQ(renewable().size(), 2u) << "expired certificates may be renewed too";
}

TEST_F(RenewalUseCaseTest, ARenewalApplicationNamesItsCertificatesAndQuotesTheFee) {
  auto c = issued_and_near_expiry(days{30});
  auto f = form_for({c[0].number}, "renew-1");
  f.contact_name = "佐藤 次郎";
  const auto mails = env.pending_mail();
  auto done = submit_renewal_application(env.services, user, f);
  ASSERT_TRUE(done.has_value()) << error_of(done).key;
  const auto& a = done->application;
  EXPECT_EQ(a.kind, store::ApplicationKind::renewal);
  EXPECT_EQ(a.certificates, 1);
  EXPECT_EQ(a.fee_per_certificate, 1500);
  EXPECT_EQ(a.total_yen, 1650);
  EXPECT_EQ(a.contact_name, "佐藤 次郎");
  EXPECT_EQ(a.institution_name, "テストクリニック") << "carried on from the last application";
  EXPECT_EQ(a.status, domain::CertificateApplicationState::applied) << "auto-approval is off";
  const auto items = renewal_items_of(env.services, a.id);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].issuance_number, c[0].number);
  EXPECT_EQ(renewable(), std::vector<std::string>{c[1].number}) << "a renewal is under way";
  EXPECT_EQ(env.pending_mail(), mails + 1);
  const auto mail = env.due_mail().back();
  EXPECT_NE(mail.subject.find("電子証明書更新申請受付のお知らせ"), std::string::npos);
  EXPECT_NE(mail.body.find(c[0].number), std::string::npos);
  const auto applied = audit("certificate_application.apply");
  ASSERT_FALSE(applied.empty());
  EXPECT_NE(applied.front().detail.find("\"kind\":\"renewal\""), std::string::npos);

  auto again = submit_renewal_application(env.services, user, f);
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->repeated) << "the same key answers the first";
  const auto twice = submit_renewal_application(env.services, user, form_for({c[0].number}, "r2"));
  ASSERT_FALSE(twice.has_value());
  ASSERT_EQ(twice.error().fields.size(), 1u);
  EXPECT_EQ(twice.error().fields[0].key, "renewal.not_renewable");
  EXPECT_EQ(twice.error().fields[0].args, std::vector<std::string>{c[0].number});
  EXPECT_EQ(error_of(form_for_correction(env.services, user, a.number)).key,
            "renewal.not_correctable");
}

TEST_F(RenewalUseCaseTest, NothingChosenOrARevokedCertificateIsRefused) {
  auto c = issued_and_near_expiry(days{30});
  auto none = check_renewal(env.services, user, form_for({}, "n"));
  ASSERT_FALSE(none.has_value());
  ASSERT_EQ(none.error().fields.size(), 1u);
  EXPECT_EQ(none.error().fields[0].key, "renewal.none_chosen");
  EXPECT_FALSE(check_renewal(env.services, user, form_for({"C-99999999-01"}, "x")).has_value());
  EXPECT_TRUE(check_renewal(env.services, user, form_for({c[1].number}, "y")).has_value());
}

TEST_F(RenewalUseCaseTest, AutoApprovalOnlyForAnUnchangedInstitution) {
  env.config.auto_approve_renewals = true;
  auto c = issued_and_near_expiry(days{10});
  auto f = form_for({c[1].number}, "same");
  f.phone = "03-9999-0000";  // the contact may change
  auto b = submit_renewal_application(env.services, user, f);
  ASSERT_TRUE(b.has_value()) << error_of(b).key;
  EXPECT_EQ(b->application.status, domain::CertificateApplicationState::approved);
  EXPECT_EQ(status_of(b->application.number), "approved");
  auto moved = form_for({c[0].number}, "moved");
  moved.address_line = "銀座2-3-4";
  auto a = submit_renewal_application(env.services, user, moved);
  ASSERT_TRUE(a.has_value()) << error_of(a).key;
  EXPECT_EQ(a->application.status, domain::CertificateApplicationState::applied)
      << "a new address goes to a reviewer";
  const auto approvals = audit("application.auto_approve");
  ASSERT_EQ(approvals.size(), 1u);
  EXPECT_EQ(approvals[0].actor, "system");
  EXPECT_EQ(approvals[0].subject, b->application.number);
}

TEST_F(RenewalUseCaseTest, IssuedRenewalKeepsTheTerminalAndTheOldOneIsRevokedAfterTheOverlap) {
  // Far enough from the old notAfter that the overlap ends before it: an expired certificate is
  // left to expire, not revoked.
  auto c = issued_and_near_expiry(days{40});
  const auto old = current(c[1].number);
  auto a = submit_renewal_application(env.services, user, form_for({c[1].number}, "renew"));
  ASSERT_TRUE(a.has_value()) << error_of(a).key;
  const auto number = a->application.number;
  ASSERT_TRUE(decide(env.services, reviewer, number, Decision::approve, "").has_value());
  auto issued = issue_application(env.services, issuer, number);
  ASSERT_TRUE(issued.has_value()) << error_of(issued).key;
  ASSERT_EQ(issued->size(), 1u);
  EXPECT_EQ((*issued)[0].issuance_number, c[1].number) << "the same 発行番号";
  EXPECT_EQ((*issued)[0].terminal, old.terminal);

  const auto next = current(c[1].number);
  EXPECT_EQ(next.generation, old.generation + 1);
  EXPECT_NE(next.serial_hex, old.serial_hex);
  EXPECT_NE(next.spki_sha256, old.spki_sha256) << "a new key";
  EXPECT_EQ(next.application_id, a->application.id);
  EXPECT_GT(next.not_after, old.not_after);
  const auto months39 = duration_cast<milliseconds>(days{365 * 3 + 90}).count();
  EXPECT_NEAR(static_cast<double>(next.not_after - next.not_before), static_cast<double>(months39),
              3.0 * 86'400'000)
      << "39 months from its issue";
  const auto before = env.db->read([&](store::ReadTx& tx) {
    return tx.certificates().find_certificate_by_serial(old.serial_hex);
  });
  EXPECT_TRUE(before->renewed) << "replaced by renewal, as EST re-enrolment records it";
  EXPECT_FALSE(before->revoked_at.has_value()) << "still valid until the overlap ends";
  const auto renewals = audit("certificate.renew");
  ASSERT_EQ(renewals.size(), 1u);
  EXPECT_NE(renewals[0].detail.find(old.serial_hex), std::string::npos);

  Housekeeping h(env.services, {{"renewed", revoke_renewed_certificates}});
  env.clock.advance(days{5});
  EXPECT_EQ(h.run_once(), std::vector<int>{0}) << "the new one is not picked up";
  const auto code = *ca->unseal(*next.sealed_pickup_code);
  pick_up({c[1].number, code, next.terminal});
  env.clock.advance(days{env.config.renewal_overlap_days} - hours{1});
  EXPECT_EQ(h.run_once(), std::vector<int>{0}) << "an hour before the overlap ends";
  const auto mails = env.pending_mail();
  env.clock.advance(hours{2});
  EXPECT_EQ(h.run_once(), std::vector<int>{1});
  EXPECT_EQ(h.run_once(), std::vector<int>{0}) << "once";
  const auto revoked = env.db->read([&](store::ReadTx& tx) {
    return tx.certificates().find_certificate_by_serial(old.serial_hex);
  });
  EXPECT_EQ(revoked->status, domain::CertificateState::revoked);
  EXPECT_EQ(revoked->revocation_reason, static_cast<int>(domain::RevocationReason::superseded));
  EXPECT_EQ(current(c[1].number).status, domain::CertificateState::active);
  EXPECT_EQ(env.pending_mail(), mails + 1);
  const auto mail = env.due_mail().back();
  EXPECT_NE(mail.subject.find("更新前の電子証明書を失効しました"), std::string::npos);
  EXPECT_NE(mail.body.find(c[1].number), std::string::npos);
  const auto audits = audit("certificate.revoke");
  ASSERT_FALSE(audits.empty());
  EXPECT_EQ(audits.front().actor, "system");
  EXPECT_NE(audits.front().detail.find("\"why\":\"renewed\""), std::string::npos);
}

TEST_F(RenewalUseCaseTest, AnIssuanceFindsTheCertificateRevokedMeanwhile) {
  auto c = issued_and_near_expiry(days{20});
  auto a = submit_renewal_application(env.services, user, form_for({c[0].number}, "renew"));
  ASSERT_TRUE(a.has_value());
  ASSERT_TRUE(
      decide(env.services, reviewer, a->application.number, Decision::approve, "").has_value());
  env.db->write([&](store::WriteTx& tx) {
    tx.certificates().revoke_certificate(current(c[0].number).id, 1, env.services.now_ms(),
                                         std::nullopt);
  });
  const auto refused = issue_application(env.services, issuer, a->application.number);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().detail_key, "renewal.renewed_meanwhile");
  EXPECT_EQ(status_of(a->application.number), "approved");
}

}  // namespace
}  // namespace onshi::app
