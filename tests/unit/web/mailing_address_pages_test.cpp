// The notice letter's address on the pages (issue 14 §1): the 送付先 card with the chosen names
// in front of 所在地, the postcode's JSON for the page script and its no-script button, the
// refusal of a postcode of another municipality beside 郵便番号, the address shown once, and the
// reviewer's warning about an application stored before the check.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "../app/clinic_fixture.hpp"
#include "admin_test_env.hpp"
#include "app/accounts/accounts.hpp"
#include "app/applications/certificate_applications.hpp"
#include "app/applications/my_page.hpp"
#include "app/applications/usage_applications.hpp"
#include "store/raw_access.hpp"

namespace onshi::web {
namespace {

using test::form_body;
using test::get;
using test::post;

std::size_t count(const std::string& haystack, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1))
    ++n;
  return n;
}

class MailingAddressPagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& s = a.s.env.services;
    user = onshi::test::logged_in_clinic(s);
    ASSERT_TRUE(app::finalize_usage_application(s, user, onshi::test::usage_form()).has_value());
    auto token = app::login(s, onshi::test::kClinicEmail, onshi::test::kClinicPassword);
    ASSERT_TRUE(token.has_value());
    clinic = "onshi_session=" + token->session_token;
    csrf = test::csrf_in(a.s.handle(get("/certificate-application/form", clinic)).body);
    ASSERT_FALSE(csrf.empty());
  }

  // The test clinic's form as typed, with `changes` over it, posted to `path`.
  Response post_form(const std::string& path,
                     std::initializer_list<std::pair<std::string_view, std::string_view>> changes) {
    std::map<std::string, std::string, std::less<>> f = {
        {"csrf_token", csrf},
        {"classification", "2"},
        {"prefecture", "13"},
        {"municipality", "131024"},
        {"postal_code", "104-0061"},
        {"address_line", "銀座1-2-3"},
        {"institution_code", "1310123455"},
        {"institution_name", "テストクリニック"},
        {"department", "事務"},
        {"contact_name", "山田 花子"},
        {"phone", "03-1234-5678"},
        {"email", onshi::test::kClinicEmail},
        {"signature_name", "オンライン資格確認利用アイコン"},
        {"certificates", "1"},
        {"idempotency_key", "key-page"}};
    for (const auto& [k, v] : changes) f[std::string(k)] = std::string(v);
    std::string body;
    for (const auto& [k, v] : f) {
      if (!body.empty()) body.push_back('&');
      body.append(url_encode(k)).append("=").append(url_encode(v));
    }
    return a.s.handle(post(path, body, clinic));
  }

  test::AdminEnv a;
  app::SessionUser user;
  std::string clinic;
  std::string csrf;
};

TEST_F(MailingAddressPagesTest, TheFormHasTheAddressCardAfterTheSignatureName) {
  const auto page = a.s.handle(get("/certificate-application/form", clinic));
  ASSERT_EQ(page.status, 200);
  const auto& html = page.body;
  const auto heading = html.find("<h2 id=\"address-heading\">電子証明書発行通知書の送付先</h2>");
  ASSERT_NE(heading, std::string::npos);
  // The guide's fields keep their printed order; the card follows 署名名称等.
  EXPECT_LT(html.find("id=\"municipality\""), html.find("id=\"institution_code\""));
  EXPECT_LT(html.find("id=\"signature_name\""), heading);
  EXPECT_LT(heading, html.find("id=\"postal_code\""));
  EXPECT_LT(html.find("id=\"postal_code\""), html.find("id=\"address_line\""));
  EXPECT_NE(html.find("formaction=\"/certificate-application/postcode\" name=\"action\" "
                      "value=\"postcode\">郵便番号から住所を入力</button>"),
            std::string::npos);
  // 東京都 is chosen from the institution code; no 市区町村 yet.
  EXPECT_NE(html.find("<span class=\"address-prefix\" id=\"address_line-prefix\">東京都</span>"),
            std::string::npos);
}

TEST_F(MailingAddressPagesTest, PostcodeJsonForThePageScript) {
  const auto r = a.s.handle(get("/api/v1/postcodes/1040061"));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["postal_code"], "104-0061");
  EXPECT_EQ(j["prefecture"]["code"], 13);
  EXPECT_EQ(j["prefecture"]["name"], "東京都");
  EXPECT_EQ(j["municipality"]["code"], "131024");
  EXPECT_EQ(j["municipality"]["name"], "中央区");
  EXPECT_EQ(j["towns"], nlohmann::json::array({"銀座"}));
  const auto unknown = a.s.handle(get("/api/v1/postcodes/0000000"));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(test::header(unknown, "Content-Type").find("application/problem+json"),
            std::string::npos);
  EXPECT_NE(nlohmann::json::parse(unknown.body)["detail"].get<std::string>().find("000-0000"),
            std::string::npos);
  EXPECT_EQ(a.s.handle(get("/api/v1/postcodes/12345")).status, 422);
}

TEST_F(MailingAddressPagesTest, TheNoScriptButtonFillsTheAddressAndSavesNothing) {
  const auto r = post_form("/certificate-application/postcode", {{"prefecture", ""},
                                                                 {"municipality", ""},
                                                                 {"postal_code", "１０４００６１"},
                                                                 {"address_line", ""}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("<option value=\"13\" selected>"), std::string::npos);
  EXPECT_NE(r.body.find("<option value=\"131024\" selected>中央区</option>"), std::string::npos);
  EXPECT_NE(r.body.find("id=\"address_line\" name=\"address_line\" autocomplete=\"address-line1\" "
                        "value=\"銀座\""),
            std::string::npos);
  EXPECT_NE(r.body.find("東京都中央区</span>"), std::string::npos) << "fixed text before 所在地";
  EXPECT_NE(r.body.find("郵便番号 104-0061 から都道府県・市区町村を入力しました。"),
            std::string::npos);
  EXPECT_TRUE(app::my_page(a.s.env.services, user.institution.id).certificate_applications.empty());

  const auto unknown = post_form("/certificate-application/postcode",
                                 {{"postal_code", "999-9999"}, {"department", "事務部"}});
  EXPECT_EQ(unknown.status, 422);
  EXPECT_NE(
      unknown.body.find("<p class=\"field-error\" id=\"postal_code-error\">郵便番号 999-9999 は"),
      std::string::npos);
  EXPECT_NE(unknown.body.find("value=\"事務部\""), std::string::npos) << "what was typed is kept";
}

TEST_F(MailingAddressPagesTest, APostcodeOfAnotherMunicipalityIsRefusedBesideIt) {
  const auto r = post_form("/certificate-application/confirm",
                           {{"municipality", "131016"}, {"postal_code", "１０４－００６１"}});
  ASSERT_EQ(r.status, 422);
  EXPECT_NE(
      r.body.find("<p class=\"field-error\" id=\"postal_code-error\">郵便番号 104-0061 は "
                  "東京都中央区 の郵便番号です。市区町村の選択か郵便番号をご確認ください。</p>"),
      std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("value=\"１０４－００６１\""), std::string::npos) << "kept as typed";
  EXPECT_NE(r.body.find("<option value=\"131016\" selected>千代田区</option>"), std::string::npos);
  EXPECT_NE(r.body.find("東京都千代田区</span>"), std::string::npos);
  EXPECT_TRUE(app::my_page(a.s.env.services, user.institution.id).certificate_applications.empty());
}

TEST_F(MailingAddressPagesTest, TheConfirmationShowsTheAddressOnce) {
  const auto r =
      post_form("/certificate-application/confirm", {{"address_line", "東京都中央区銀座1-2-3"}});
  ASSERT_EQ(r.status, 200) << r.body;
  // The address once, then the addressee as the letter lays it out: 部署, then 氏名 様.
  EXPECT_NE(
      r.body.find("<dd class=\"addressee\">〒104-0061 東京都中央区銀座1-2-3<br>テストクリニック<br>"
                  "事務<br>山田 花子 様</dd>"),
      std::string::npos)
      << r.body;
  EXPECT_EQ(count(r.body, "東京都中央区東京都中央区"), 0u) << r.body;
  // 入力画面に戻る gives back what was typed; submitting drops the repeat again.
  EXPECT_EQ(count(r.body, "value=\"東京都中央区銀座1-2-3\""), 1u);
}

TEST_F(MailingAddressPagesTest, TheReviewerIsWarnedOfAnOlderMismatch) {
  auto f = onshi::test::certificate_form("1", "key-old");
  auto applied = app::submit_certificate_application(a.s.env.services, user, f);
  ASSERT_TRUE(applied.has_value());
  const auto detail = "/admin/applications/" + applied->application.number;
  const auto cookie = a.login("reviewer");
  const auto fine = a.s.handle(get(detail, cookie));
  ASSERT_EQ(fine.status, 200);
  EXPECT_EQ(fine.body.find("address-warning"), std::string::npos);
  // As the probe stored it before the check: 千代田区 with 中央区's postcode.
  ASSERT_TRUE(store::raw_sql((a.s.env.dir.path() / "onshi.db").string(),
                             "UPDATE certificate_applications SET municipality_code = '131016'")
                  .ok);
  const auto warned = a.s.handle(get(detail, cookie));
  EXPECT_NE(warned.body.find("要確認：郵便番号 104-0061 は 東京都中央区 "
                             "の郵便番号で、申請の市区町村（千代田区）と一致しません。"),
            std::string::npos)
      << warned.body;
}

}  // namespace
}  // namespace onshi::web
