// 失効 asked by the institution (マイページ, the API) on the use case, with a real CA and a
// settable clock: several certificates at once, all of the set or none of it (a mixed set changes
// nothing), another institution's number refused as an unknown one, the four reasons a clinic can
// give, keyCompromise's date, the idempotency key, the audit record per certificate with the
// account as actor, and one mail to the account and each application's contact.
#include <gtest/gtest.h>

#include <set>

#include "app/ca/own_revocation.hpp"
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

class OwnRevocationTest : public test::IssuedTest {
 protected:
  Result<OwnRevocation> revoke(std::vector<std::string> numbers, const std::string& reason,
                               std::optional<std::string> since = std::nullopt,
                               const std::string& key = "") {
    return revoke_own_certificates(env.services, user, {std::move(numbers), reason, since, key});
  }

  // ほかのクリニック, with one certificate issued: its 発行番号.
  std::string other_institutions_certificate() {
    auto& s = env.services;
    EXPECT_TRUE(create_verified_account(s, {"other@clinic.example.jp", "1310123463",
                                            "ほかのクリニック", "purple staple battery"})
                    .has_value());
    auto token = login(s, "other@clinic.example.jp", "purple staple battery");
    other = *resolve_session(s, token->session_token);
    auto u = test::usage_form("1", "key-u2");
    u.customer_id = "CAF1234567891";
    EXPECT_TRUE(finalize_usage_application(s, other, u).has_value());
    auto f = test::certificate_form("1", "key-c2");
    f.institution_code = "1310123463";
    f.institution_name = "ほかのクリニック";
    f.email = "other@clinic.example.jp";
    auto applied = submit_certificate_application(s, other, f);
    EXPECT_TRUE(
        decide(s, reviewer, applied->application.number, Decision::approve, "").has_value());
    EXPECT_TRUE(issue_application(s, issuer, applied->application.number, {}).has_value());
    return applied->application.number + "-01";
  }

  auto revocations() {
    return env.db->read([&](store::ReadTx& tx) {
      store::AuditFilter f;
      f.action_prefix = "certificate.revoke";
      return tx.audit().audit_entries(f);
    });
  }

  SessionUser other;
};

TEST_F(OwnRevocationTest, SeveralAtOnceEachAuditedAndOneMailListingThem) {
  const auto c = issue("3", "o1");
  const auto mails = env.pending_mail();
  auto r = revoke({c[0].number, c[2].number}, "superseded");
  ASSERT_TRUE(r.has_value()) << error_of(r).key;
  EXPECT_FALSE(r->repeated);
  ASSERT_EQ(r->certificates.size(), 2u);
  for (const auto& number : {c[0].number, c[2].number}) {
    const auto now = current(number);
    EXPECT_EQ(now.status, domain::CertificateState::revoked) << number;
    EXPECT_EQ(now.revocation_reason, static_cast<int>(domain::RevocationReason::superseded));
    EXPECT_EQ(now.revoked_at, env.services.now_ms()) << "effective at once";
    EXPECT_FALSE(now.sealed_key.has_value()) << "the generated key is destroyed";
  }
  EXPECT_EQ(current(c[1].number).status, domain::CertificateState::issued) << "not chosen";
  EXPECT_EQ(error_of(open_pickup(env.services, {c[0].number, c[0].code, "192.0.2.1"})).key,
            "pickup.revoked");

  const auto audit = revocations();
  ASSERT_EQ(audit.size(), 2u) << "one record per certificate";
  for (const auto& e : audit) {
    EXPECT_EQ(e.actor, "account:" + std::to_string(user.account.id));
    EXPECT_NE(e.detail.find("\"reason\":\"superseded\""), std::string::npos) << e.detail;
    EXPECT_NE(e.detail.find("\"request\":\""), std::string::npos) << e.detail;
  }

  // The application's contact is the account's own address here: one mail, both listed.
  EXPECT_EQ(env.pending_mail(), mails + 1);
  const auto due = env.due_mail();
  const auto& mail = due.back();
  EXPECT_EQ(mail.to, test::kClinicEmail);
  EXPECT_NE(mail.subject.find("電子証明書を失効しました（2枚）"), std::string::npos)
      << mail.subject;
  for (const auto& number : {c[0].number, c[2].number}) {
    EXPECT_NE(mail.body.find(number), std::string::npos) << number;
    EXPECT_NE(mail.body.find(util::group_serial(current(number).serial_hex)), std::string::npos);
  }
  EXPECT_EQ(mail.body.find(c[1].number), std::string::npos);
  EXPECT_NE(mail.body.find("端末の入替え・廃棄"), std::string::npos);
  EXPECT_NE(mail.body.find("1310123455-T01"), std::string::npos) << "the terminal's CN";
}

TEST_F(OwnRevocationTest, TheApplicationsContactIsMailedBesidesTheAccount) {
  auto f = test::certificate_form("1", "o2");
  f.email = "jimu@clinic.example.jp";
  auto applied = submit_certificate_application(env.services, user, f);
  ASSERT_TRUE(applied.has_value());
  ASSERT_TRUE(decide(env.services, reviewer, applied->application.number, Decision::approve, "")
                  .has_value());
  ASSERT_TRUE(issue_application(env.services, issuer, applied->application.number, {}).has_value());
  const auto mine = issue("1", "o3");
  const auto before = env.due_mail().size();
  ASSERT_TRUE(revoke({applied->application.number + "-01", mine[0].number}, "cessationOfOperation")
                  .has_value());
  const auto due = env.due_mail();
  ASSERT_EQ(due.size(), before + 2) << "the account, and the other application's contact";
  std::set<std::string> to;
  for (auto i = before; i < due.size(); ++i) {
    to.insert(due[i].to);
    EXPECT_NE(due[i].body.find(mine[0].number), std::string::npos) << "each lists the whole set";
  }
  EXPECT_EQ(to, (std::set<std::string>{test::kClinicEmail, "jimu@clinic.example.jp"}));
}

TEST_F(OwnRevocationTest, AMixedSetIsRefusedWholeAndChangesNothing) {
  const auto c = issue("3", "o4");
  ASSERT_TRUE(revoke({c[1].number}, "superseded").has_value());
  const auto mails = env.pending_mail();
  const auto audit = revocations().size();
  auto r = revoke({c[0].number, c[1].number, c[2].number}, "keyCompromise");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(error_of(r).code, FailureCode::conflict);
  EXPECT_EQ(error_of(r).key, "certificate.already_revoked");
  ASSERT_EQ(error_of(r).fields.size(), 1u);
  EXPECT_EQ(error_of(r).fields[0].field, "certificates");
  EXPECT_EQ(error_of(r).fields[0].key, "own_revocation.already_revoked");
  EXPECT_EQ(error_of(r).fields[0].args, std::vector<std::string>{c[1].number});
  EXPECT_EQ(current(c[0].number).status, domain::CertificateState::issued) << "all or nothing";
  EXPECT_EQ(current(c[2].number).status, domain::CertificateState::issued);
  EXPECT_TRUE(current(c[0].number).sealed_key.has_value());
  EXPECT_EQ(current(c[1].number).revocation_reason,
            static_cast<int>(domain::RevocationReason::superseded))
      << "a revocation is never redone with another reason";
  EXPECT_EQ(env.pending_mail(), mails);
  EXPECT_EQ(revocations().size(), audit);

  // The same refusal as the confirmation page sees it, before anything is attempted.
  const auto checked =
      check_own_revocation(env.services, user, {{c[0].number, c[1].number}, "superseded", {}, ""});
  EXPECT_EQ(error_of(checked).key, "certificate.already_revoked");
  const auto fine = check_own_revocation(env.services, user, {{c[0].number}, "superseded", {}, ""});
  ASSERT_TRUE(fine.has_value());
  EXPECT_EQ(fine->at(0).issuance_number, c[0].number);
  EXPECT_EQ(current(c[0].number).status, domain::CertificateState::issued) << "a check only";
}

TEST_F(OwnRevocationTest, AnotherInstitutionsCertificateIsOneNobodyHas) {
  const auto mine = issue("1", "o5");
  const auto theirs = other_institutions_certificate();
  auto r = revoke({mine[0].number, theirs}, "superseded");
  EXPECT_EQ(error_of(r).code, FailureCode::not_found);
  EXPECT_EQ(error_of(r).key, "certificate.not_found");
  ASSERT_EQ(error_of(r).fields.size(), 1u);
  EXPECT_EQ(error_of(r).fields[0].key, "own_revocation.not_found");
  EXPECT_EQ(error_of(r).fields[0].args, std::vector<std::string>{theirs});
  EXPECT_EQ(error_of(revoke({"C-99999999-01"}, "superseded")).code, FailureCode::not_found)
      << "the same as a number nobody has";
  EXPECT_EQ(current(theirs).status, domain::CertificateState::issued);
  EXPECT_EQ(current(mine[0].number).status, domain::CertificateState::issued);
  // Their own account revokes it.
  EXPECT_TRUE(revoke_own_certificates(env.services, other, {{theirs}, "superseded", {}, ""}));
}

TEST_F(OwnRevocationTest, OnlyTheFourReasonsAClinicCanTellAndKeyCompromisesDate) {
  const auto c = issue("2", "o6");
  auto fields = [](const Result<OwnRevocation>& r) {
    std::vector<std::string> out;
    for (const auto& f : error_of(r).fields) out.push_back(f.field + ":" + f.key);
    return out;
  };
  EXPECT_EQ(fields(revoke({c[0].number}, "")),
            std::vector<std::string>{"reason:own_revocation.reason_missing"});
  EXPECT_EQ(fields(revoke({c[0].number}, "unspecified")),
            std::vector<std::string>{"reason:own_revocation.reason_unknown"})
      << "the operator's, not the clinic's";
  EXPECT_EQ(fields(revoke({c[0].number}, "certificateHold")),
            std::vector<std::string>{"reason:own_revocation.reason_unknown"});
  EXPECT_EQ(fields(revoke({}, "superseded")),
            std::vector<std::string>{"certificates:own_revocation.none_chosen"});
  EXPECT_EQ(fields(revoke({c[0].number}, "affiliationChanged", "2026-11-01")),
            std::vector<std::string>{"compromised_since:revocation.since_needs_key_compromise"});
  EXPECT_EQ(fields(revoke({c[0].number}, "keyCompromise", "2026-11-25")),
            std::vector<std::string>{"compromised_since:revocation.since_in_future"});
  EXPECT_EQ(fields(revoke({c[0].number}, "keyCompromise", "2026-02-30")).size(), 1u);
  EXPECT_EQ(current(c[0].number).status, domain::CertificateState::issued);

  auto r = revoke({c[0].number, c[1].number}, "keyCompromise", "２０２６－１１－２０");
  ASSERT_TRUE(r.has_value()) << error_of(r).key;
  const auto since =
      duration_cast<milliseconds>((sys_days{2026y / November / 19d} + hours{15}).time_since_epoch())
          .count();
  for (const auto& revoked : r->certificates) EXPECT_EQ(revoked.invalidity_date, since);
  EXPECT_NE(env.due_mail().back().body.find("2026年11月20日"), std::string::npos)
      << "the mail says since when";
}

TEST_F(OwnRevocationTest, TheSameKeyAgainAnswersWithWhatItRevoked) {
  const auto c = issue("2", "o7");
  ASSERT_TRUE(revoke({c[0].number}, "superseded", std::nullopt, "idem-1").has_value());
  const auto mails = env.pending_mail();
  env.clock.advance(minutes{1});
  auto again = revoke({c[0].number}, "superseded", std::nullopt, "idem-1");
  ASSERT_TRUE(again.has_value()) << error_of(again).key;
  EXPECT_TRUE(again->repeated);
  EXPECT_EQ(again->certificates.at(0).revoked_at, env.services.now_ms() - 60'000)
      << "revoked once, when first asked";
  EXPECT_EQ(env.pending_mail(), mails) << "no second mail";
  EXPECT_EQ(revocations().size(), 1u);
  EXPECT_EQ(error_of(revoke({c[1].number}, "superseded", std::nullopt, "idem-1")).key,
            "own_revocation.key_reused");
  EXPECT_EQ(current(c[1].number).status, domain::CertificateState::issued);
  EXPECT_EQ(error_of(revoke({c[0].number}, "superseded", std::nullopt, "idem-2")).key,
            "certificate.already_revoked")
      << "a new key for a revoked certificate";
}

TEST_F(OwnRevocationTest, AnExpiredCertificateIsNotRevoked) {
  const auto c = issue("1", "o8");
  env.clock.advance(days{40 * 31});
  auto r = revoke({c[0].number}, "cessationOfOperation");
  EXPECT_EQ(error_of(r).key, "certificate.already_expired");
  EXPECT_EQ(error_of(r).fields.at(0).key, "own_revocation.already_expired");
}

TEST(CommonName, IsReadFromTheSubject) {
  EXPECT_EQ(common_name_of("serialNumber=C-00000001-01,CN=1310123455-T01,O=テスト,C=JP"),
            "1310123455-T01");
  EXPECT_EQ(common_name_of("CN=T01"), "T01");
  EXPECT_EQ(common_name_of("O=x,C=JP"), "");
}

}  // namespace
}  // namespace onshi::app
