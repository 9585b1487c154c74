// 失効 in the back office: the application page's certificate rows lead issuers and admins to the
// form (every reason the CPS allows, keyCompromise's date), a refusal keeps what was chosen beside
// its field, the confirmation says it cannot be undone, and only its post revokes, audited as the
// operator; reviewers neither see nor may post it, and a revoked certificate offers it no more.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "issued_certificates_env.hpp"

namespace onshi::web {
namespace {

using test::get;
using test::header;
using test::post;

class AdminRevocationTest : public test::IssuedCertificatesTest {
 protected:
  std::string detail() const { return fmt::format("/admin/applications/{}", mine[0].application); }
  std::string path() const { return fmt::format("/admin/certificates/{}/revoke", mine[0].number); }
  Response post_revoke(const std::string& cookie,
                       std::vector<std::pair<std::string_view, std::string_view>> fields) {
    const auto token = a.token_of(detail(), cookie);
    fields.emplace_back("csrf_token", token);
    return a.s.handle(post(path(), test::form_body(fields), cookie));
  }
  std::vector<store::AuditRecord> revocations() {
    store::AuditFilter f;
    f.action_prefix = "certificate.revoke";
    return a.s.env.db->read([&](store::ReadTx& tx) { return tx.audit().audit_entries(f); });
  }
};

TEST_F(AdminRevocationTest, AReviewerNeitherSeesNorMayPostIt) {
  const auto cookie = a.login("reviewer");
  const auto page = a.s.handle(get(detail(), cookie));
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.body.find(path()), std::string::npos);
  EXPECT_EQ(a.s.handle(get(path(), cookie)).status, 403);
  EXPECT_EQ(
      post_revoke(cookie, {{"action", "revoke"}, {"reason", "superseded"}, {"confirmed", "1"}})
          .status,
      403);
  EXPECT_EQ(current(mine[0].number).status, domain::CertificateState::issued);
  EXPECT_TRUE(revocations().empty());
}

TEST_F(AdminRevocationTest, AnIssuerRevokesThroughTheFormAndItsConfirmation) {
  const auto cookie = a.login("issuer");
  const auto page = a.s.handle(get(detail(), cookie));
  EXPECT_NE(page.body.find(fmt::format(R"(href="{}")", path())), std::string::npos);

  const auto form = a.s.handle(get(path(), cookie));
  ASSERT_EQ(form.status, 200) << form.body;
  for (const auto* reason : {"unspecified", "keyCompromise", "affiliationChanged", "superseded",
                             "cessationOfOperation"}) {
    EXPECT_NE(form.body.find(fmt::format(R"(value="{}")", reason)), std::string::npos) << reason;
  }
  EXPECT_EQ(form.body.find("certificateHold"), std::string::npos) << "never suspended";

  // Without a reason, or a date for another reason: the form again, what was typed kept.
  auto refused = post_revoke(cookie, {{"action", "confirm"}, {"compromised_since", "2026-11-20"}});
  EXPECT_EQ(refused.status, 422);
  EXPECT_NE(refused.body.find(a.s.env.messages.get("admin_revocation.reason_missing")),
            std::string::npos);
  EXPECT_NE(refused.body.find(R"(value="2026-11-20")"), std::string::npos);
  refused = post_revoke(
      cookie,
      {{"action", "confirm"}, {"reason", "superseded"}, {"compromised_since", "2026-11-20"}});
  EXPECT_EQ(refused.status, 422);
  EXPECT_NE(refused.body.find(R"(value="superseded" checked)"), std::string::npos);
  EXPECT_NE(refused.body.find(a.s.env.messages.get("revocation.since_needs_key_compromise")),
            std::string::npos);

  const auto confirm = post_revoke(
      cookie,
      {{"action", "confirm"}, {"reason", "keyCompromise"}, {"compromised_since", "2026-11-20"}});
  ASSERT_EQ(confirm.status, 200) << confirm.body;
  for (const auto* text :
       {"失効は取り消せません", "秘密鍵の漏えい・紛失の恐れ", "2026年11月20日（金）",
        "1310123455-T01", R"(name="confirmed" value="1")"}) {
    EXPECT_NE(confirm.body.find(text), std::string::npos) << text;
  }
  EXPECT_EQ(current(mine[0].number).status, domain::CertificateState::issued) << "not yet";
  // A post without the confirmation's field (an old page, a replay) only confirms.
  EXPECT_EQ(post_revoke(cookie, {{"action", "revoke"}, {"reason", "keyCompromise"}}).status, 200);
  EXPECT_EQ(current(mine[0].number).status, domain::CertificateState::issued);

  const auto done = post_revoke(cookie, {{"action", "revoke"},
                                         {"reason", "keyCompromise"},
                                         {"compromised_since", "2026-11-20"},
                                         {"confirmed", "1"}});
  ASSERT_EQ(done.status, 303) << done.body;
  const auto back = header(done, "Location");
  EXPECT_EQ(back, fmt::format("{}?done=revoke&certificate={}", detail(), mine[0].number));
  const auto revoked = current(mine[0].number);
  EXPECT_EQ(revoked.status, domain::CertificateState::revoked);
  EXPECT_EQ(revoked.revocation_reason, 1);
  EXPECT_TRUE(revoked.invalidity_date.has_value());
  const auto audit = revocations();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_TRUE(audit[0].actor.starts_with("operator:")) << audit[0].actor;

  const auto after = a.s.handle(get(back, cookie));
  EXPECT_NE(after.body.find(fmt::format("{}を失効しました", mine[0].number)), std::string::npos);
  EXPECT_NE(after.body.find("（秘密鍵の漏えい・紛失の恐れ）"), std::string::npos);
  EXPECT_EQ(after.body.find(path()), std::string::npos) << "revoked: not offered again";
  EXPECT_EQ(a.s.handle(get(path(), cookie)).status, 409);
  EXPECT_EQ(
      post_revoke(cookie, {{"action", "revoke"}, {"reason", "superseded"}, {"confirmed", "1"}})
          .status,
      409);
  EXPECT_EQ(revocations().size(), 1u);
  EXPECT_EQ(a.s.handle(get("/admin/certificates/C-99999999-01/revoke", cookie)).status, 404);
}

}  // namespace
}  // namespace onshi::web
