// マイページ's 失効 with certificates really issued: the form lists what can still be revoked (the
// certificate's page preselects its own), refusals keep what was chosen and typed with the message
// beside the field, the confirmation names each terminal and says it cannot be undone, 失効する
// revokes the set at once and マイページ then says 失効 with the date and reason; another
// institution's number or a revoked one changes nothing, and a form without its token is refused.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "app/ca/revocation.hpp"
#include "issued_certificates_env.hpp"
#include "util/text.hpp"

namespace onshi::web {
namespace {

using test::get;
using test::header;
using test::post;

constexpr std::string_view kPath = "/certificates/revoke";

class OwnRevocationPagesTest : public test::IssuedCertificatesTest {
 protected:
  using Fields = std::vector<std::pair<std::string, std::string>>;
  Response post_form(const Fields& fields, const std::string& cookie = {}) {
    const auto& c = cookie.empty() ? clinic : cookie;
    const auto token = test::csrf_in(a.s.handle(get(std::string(kPath), c)).body);
    std::vector<std::pair<std::string_view, std::string_view>> body = {{"csrf_token", token}};
    for (const auto& [k, v] : fields) body.emplace_back(k, v);
    return a.s.handle(post(std::string(kPath), test::form_body(body), c));
  }
  bool checked(const std::string& html, const std::string& number) const {
    return html.find(fmt::format(R"(name="certificate" value="{}" checked)", number)) !=
           std::string::npos;
  }
  void revoke_by_operator(const std::string& number) {
    ASSERT_TRUE(app::revoke_certificate(a.s.env.services,
                                        *app::cli_actor(a.s.env.services, "issuer"),
                                        {number, "superseded", std::nullopt})
                    .has_value());
  }
  const app::Messages& m() const { return a.s.env.messages; }
};

TEST_F(OwnRevocationPagesTest, TheFormListsWhatCanBeRevokedAndTheCertificatePageLeadsToIt) {
  const auto my = a.s.handle(get("/mypage", clinic));
  EXPECT_NE(my.body.find(R"(href="/certificates/revoke")"), std::string::npos);
  const auto page = a.s.handle(get("/certificates/" + mine[0].number, clinic));
  const auto link = fmt::format(R"(href="/certificates/revoke?n={}")", mine[0].number);
  EXPECT_NE(page.body.find(link), std::string::npos) << "this certificate's own way there";

  revoke_by_operator(mine[1].number);
  const auto form = a.s.handle(get(fmt::format("{}?n={}", kPath, mine[0].number), clinic));
  ASSERT_EQ(form.status, 200) << form.body;
  EXPECT_TRUE(checked(form.body, mine[0].number)) << "chosen on its page";
  EXPECT_EQ(form.body.find(mine[1].number), std::string::npos) << "revoked already: not offered";
  for (const auto* label :
       {"端末の入替え・廃棄", "秘密鍵の漏えい・紛失の恐れ", "記載内容の変更", "利用の終了"}) {
    EXPECT_NE(form.body.find(label), std::string::npos) << label;
  }
  EXPECT_EQ(form.body.find(R"(value="unspecified")"), std::string::npos) << "operators only";
  EXPECT_NE(form.body.find(util::group_serial(current(mine[0].number).serial_hex)),
            std::string::npos);
  EXPECT_NE(a.s.handle(get("/certificates/" + mine[1].number, clinic))
                .body.find("に失効しました（理由：端末の入替え・廃棄）"),
            std::string::npos);
}

TEST_F(OwnRevocationPagesTest, RefusalsKeepWhatWasChosenAndTypedBesideTheField) {
  auto r = post_form(
      {{"action", "confirm"}, {"reason", "keyCompromise"}, {"compromised_since", "2026-12-31"}});
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find(m().get("own_revocation.none_chosen")), std::string::npos);
  EXPECT_NE(r.body.find(m().get("revocation.since_in_future")), std::string::npos);
  EXPECT_NE(r.body.find(R"(id="compromised_since-error")"), std::string::npos) << "beside it";
  EXPECT_NE(r.body.find(R"(value="2026-12-31" aria-describedby)"), std::string::npos)
      << "the date typed stays";
  EXPECT_NE(r.body.find(R"(value="keyCompromise" checked)"), std::string::npos);
  EXPECT_NE(r.body.find(R"(href="#certificates")"), std::string::npos) << "the summary links it";

  r = post_form({{"action", "confirm"}, {"certificate", mine[1].number}});
  ASSERT_EQ(r.status, 422);
  EXPECT_NE(r.body.find(m().get("own_revocation.reason_missing")), std::string::npos);
  EXPECT_TRUE(checked(r.body, mine[1].number));
  EXPECT_FALSE(checked(r.body, mine[0].number));
  EXPECT_EQ(current(mine[1].number).status, domain::CertificateState::issued);
}

TEST_F(OwnRevocationPagesTest, TheConfirmationNamesEachTerminalThenBothAreRevokedAtOnce) {
  const auto confirm = post_form({{"action", "confirm"},
                                  {"certificate", mine[0].number},
                                  {"certificate", mine[1].number},
                                  {"reason", "superseded"}});
  ASSERT_EQ(confirm.status, 200) << confirm.body;
  for (const auto& c : mine) {
    EXPECT_NE(confirm.body.find(c.number), std::string::npos) << c.number;
    EXPECT_NE(confirm.body.find(util::group_serial(current(c.number).serial_hex)),
              std::string::npos);
  }
  for (const auto* text : {"1310123455-T01", "1310123455-T02", "失効は取り消せません",
                           "端末の入替え・廃棄", "次の2枚の電子証明書を失効させますか"}) {
    EXPECT_NE(confirm.body.find(text), std::string::npos) << text;
  }
  EXPECT_EQ(current(mine[0].number).status, domain::CertificateState::issued) << "not yet";

  const Fields revoke = {{"action", "revoke"},
                         {"certificate", mine[0].number},
                         {"certificate", mine[1].number},
                         {"reason", test::hidden_value(confirm.body, "reason")},
                         {"compromised_since", ""},
                         {"idempotency_key", test::hidden_value(confirm.body, "idempotency_key")}};
  const auto done = post_form(revoke);
  ASSERT_EQ(done.status, 303) << done.body;
  const auto location = header(done, "Location");
  EXPECT_EQ(location, fmt::format("{}/done?n={}&n={}", kPath, mine[0].number, mine[1].number));
  for (const auto& c : mine)
    EXPECT_EQ(current(c.number).status, domain::CertificateState::revoked) << c.number;
  EXPECT_EQ(post_form(revoke).status, 303) << "a second click lands on the same page";
  // The same page sent back with another choice (the browser's back button): nothing revoked, and
  // said in the clinic's words.
  auto other = revoke;
  other[2] = {"certificate", "C-00000009-01"};
  const auto reused = post_form(other);
  EXPECT_EQ(reused.status, 409);
  EXPECT_NE(reused.body.find(m().get("own_revocation.form_used")), std::string::npos);

  const auto shown = a.s.handle(get(location, clinic));
  ASSERT_EQ(shown.status, 200);
  const std::string status = "失効（2026年11月24日（火）、端末の入替え・廃棄）";
  EXPECT_NE(shown.body.find(status), std::string::npos) << shown.body;
  EXPECT_NE(shown.body.find(onshi::test::kClinicEmail), std::string::npos) << "where the mail went";
  const auto my = a.s.handle(get("/mypage", clinic));
  EXPECT_NE(my.body.find(R"(data-label="状況">)" + status), std::string::npos);
  EXPECT_EQ(my.body.find(R"(href="/certificates/revoke")"), std::string::npos)
      << "nothing left to revoke";
  const auto page = a.s.handle(get("/certificates/" + mine[0].number, clinic));
  EXPECT_EQ(page.body.find("/certificates/revoke?n="), std::string::npos);
  EXPECT_EQ(page.body.find("取得用ページ"), std::string::npos) << "no pickup for a revoked one";
}

TEST_F(OwnRevocationPagesTest, AnotherInstitutionsOrARevokedCertificateChangesNothing) {
  const auto theirs = other_clinic_certificates();
  auto r = post_form({{"action", "revoke"},
                      {"certificate", mine[0].number},
                      {"certificate", theirs.number},
                      {"reason", "cessationOfOperation"}});
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find(m().format("own_revocation.not_found", {theirs.number})),
            std::string::npos);
  EXPECT_TRUE(checked(r.body, mine[0].number)) << "the choice stays";
  EXPECT_NE(r.body.find(R"(value="cessationOfOperation" checked)"), std::string::npos);
  EXPECT_EQ(current(theirs.number).status, domain::CertificateState::issued);
  EXPECT_EQ(current(mine[0].number).status, domain::CertificateState::issued);

  revoke_by_operator(mine[1].number);
  r = post_form({{"action", "confirm"},
                 {"certificate", mine[0].number},
                 {"certificate", mine[1].number},
                 {"reason", "superseded"}});
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(r.body.find(m().format("own_revocation.already_revoked", {mine[1].number})),
            std::string::npos);
  EXPECT_EQ(current(mine[0].number).status, domain::CertificateState::issued);
}

TEST_F(OwnRevocationPagesTest, AFormWithoutItsTokenOrSessionIsRefused) {
  const auto body = test::form_body(
      {{"action", "revoke"}, {"certificate", mine[0].number}, {"reason", "superseded"}});
  EXPECT_EQ(a.s.handle(post(std::string(kPath), body, clinic)).status, 403);
  EXPECT_EQ(a.s.handle(post(std::string(kPath), body)).status, 403);
  EXPECT_EQ(a.s.handle(get(std::string(kPath))).status, 303) << "to the login";
  EXPECT_EQ(current(mine[0].number).status, domain::CertificateState::issued);
}

}  // namespace
}  // namespace onshi::web
