// The CPIPCS in two readings (issue 14 §8): /cpipcs for clinic staff, /cpipcs/full for system
// vendors and verifiers. Neither may show what only an operator or a developer needs.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "site_test_env.hpp"

namespace onshi::web {
namespace {

using test::get;

// What a reader of either page must never meet: placeholders, configuration keys, source paths.
void expect_no_operator_material(const std::string& html, const std::string& what) {
  for (const char* s : {"BASE_URL", ".toml", "src/", "docs/", "pki.", "server.base_url",
                        "mail.from", "shared/seed"}) {
    EXPECT_EQ(html.find(s), std::string::npos) << what << " shows " << s;
  }
  EXPECT_EQ(html.find("{{"), std::string::npos) << what << ": an unrendered tag";
}

void configure(app::Config& c) {
  c.base_url = "https://portal.example.jp";
  c.crl_url = "http://crl.example.jp/issuing.crl";  // set apart from the base URL (2.4)
  c.delta_crl_url.clear();
  c.ocsp_url.clear();
  c.ca_issuers_url.clear();
  c.root_crl_url.clear();
  c.root_ca_issuers_url.clear();
  c.pickup_valid_days = 60;
  c.unpicked_revocation_grace_days = 21;
  app::finish_config(c);
}

class CpipcsFull : public ::testing::Test {
 protected:
  test::SiteEnv s{configure};
  Response r = s.handle(get("/cpipcs/full"));
};

TEST_F(CpipcsFull, IsPublicAndNamesItsReaders) {
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("全文（システムベンダ・検証者向け）"), std::string::npos);
  EXPECT_NE(r.body.find(R"(href="/cpipcs")"), std::string::npos) << "the clinic summary is linked";
}

TEST_F(CpipcsFull, ShowsTheConfiguredUrlsNotPlaceholders) {
  expect_no_operator_material(r.body, "/cpipcs/full");
  for (const char* url :
       {"https://portal.example.jp/cpipcs/full", "https://portal.example.jp/pki/ca/root.crt",
        "https://portal.example.jp/pki/ca/issuing.crt", "https://portal.example.jp/pki/ocsp",
        "https://portal.example.jp/pki/crl/root.crl", "http://crl.example.jp/issuing.crl",
        "https://portal.example.jp/pki/crl/issuing-delta.crl"}) {
    EXPECT_NE(r.body.find(url), std::string::npos) << url;
  }
  // The OpenSSL example shows the CRL distribution point a certificate really carries.
  EXPECT_NE(r.body.find("Full Name: URI:http://crl.example.jp/issuing.crl"), std::string::npos);
  EXPECT_NE(r.body.find("X509v3 Freshest CRL:\n    Full Name: "
                        "URI:https://portal.example.jp/pki/crl/issuing-delta.crl"),
            std::string::npos);
  EXPECT_NE(r.body.find("取得期限は発行から 60 日です"), std::string::npos);
  EXPECT_NE(r.body.find("取得期限から 21 日の猶予を置いて、cessationOfOperation"),
            std::string::npos)
      << "4.4.4 with the configured grace";
  EXPECT_NE(r.body.find("fask.or.jp"), std::string::npos) << "the mail domain, from mail.from";
}

TEST_F(CpipcsFull, KeepsEverySectionIdTheSummaryLinksTo) {
  for (const char* id : {"sec-1-4", "sec-1-5", "sec-4-1", "sec-4-4", "sec-4-5-1", "sec-4-6",
                         "sec-4-7", "sec-4-9", "sec-7-4", "sec-7-5", "sec-9-1", "sec-9-4"}) {
    EXPECT_NE(r.body.find(std::string("id=\"") + id + "\""), std::string::npos) << id;
  }
}

class CpipcsSummary : public ::testing::Test {
 protected:
  test::SiteEnv s{configure};
  Response r = s.handle(get("/cpipcs"));
};

TEST_F(CpipcsSummary, HasATableOfContentsLinkingToEachClinicSection) {
  ASSERT_EQ(r.status, 200);
  const auto toc = r.body.find(">目次</h2>");
  ASSERT_NE(toc, std::string::npos);
  std::size_t at = toc;
  for (const char* id : {"purpose", "flow", "fee", "count", "renewal", "duties", "revocation",
                         "privacy", "contact"}) {
    const std::string link = std::string("href=\"#") + id + "\"";
    const auto l = r.body.find(link, at);
    ASSERT_NE(l, std::string::npos) << link << " in order in the 目次";
    at = l;
    EXPECT_NE(r.body.find(std::string("id=\"") + id + "\""), std::string::npos) << id;
  }
  for (const char* heading :
       {"はじめに", "電子証明書の用途", "申請から受け取りまでの流れ", "発行料", "枚数と有効期間",
        "更新と再発行", "皆さまにお守りいただくこと", "失効", "個人情報の取扱い",
        "お問い合わせ先"}) {
    EXPECT_NE(r.body.find(heading), std::string::npos) << heading;
  }
}

TEST_F(CpipcsSummary, GivesTheFactsAClinicNeeds) {
  for (const char* fact :
       {"証明書1枚につき1,500円（税別）", "税込1,650円", "端末1台につき1枚", "発行から3年3か月",
        "書留", "約5営業日", "取得期限は発行から 60 日", "取得コードと通知書は大切に保管",
        "すぐに失効を申請", "業務にのみ使用します", "fask.or.jp",
        "取得期限を過ぎて 21 日たっても取得されず"}) {
    EXPECT_NE(r.body.find(fact), std::string::npos) << fact;
  }
  EXPECT_EQ(r.body.find("39か月"), std::string::npos) << "validity is written 3年3か月";
}

TEST_F(CpipcsSummary, HoldsNothingTechnicalAndPointsToTheFullText) {
  expect_no_operator_material(r.body, "/cpipcs");
  for (const char* t :
       {"-----BEGIN", "openssl", "OCSP", "CRL", "X509v3", "https://portal.example.jp"}) {
    EXPECT_EQ(r.body.find(t), std::string::npos) << "/cpipcs shows " << t;
  }
  EXPECT_NE(r.body.find(R"(<a href="/cpipcs/full">規程の全文（システムベンダ・検証者向け）</a>)"),
            std::string::npos);
  // Every section cites the part of the full text it summarises, by a link that lands on it.
  const std::regex cite(R"re(<a href="/cpipcs/full#(sec-[0-9-]+)">全文の)re");
  const auto full = s.handle(get("/cpipcs/full"));
  int cites = 0;
  for (auto it = std::sregex_iterator(r.body.begin(), r.body.end(), cite);
       it != std::sregex_iterator(); ++it) {
    ++cites;
    EXPECT_NE(full.body.find("id=\"" + (*it)[1].str() + "\""), std::string::npos) << (*it)[1];
  }
  EXPECT_GE(cites, 9) << "one citation per section";
}

TEST(CpipcsSummaryLength, StaysAFractionOfTheFullText) {
  test::SiteEnv s;
  const auto summary = s.handle(get("/cpipcs")).body.size();
  const auto full = s.handle(get("/cpipcs/full")).body.size();
  EXPECT_LT(summary * 5, full) << summary << " bytes against " << full;
}

TEST(CpipcsFullOid, NamesTheConfiguredPolicyOid) {
  test::SiteEnv s{[](app::Config& c) { c.policy_oid = "1.2.392.999.1"; }};
  const auto r = s.handle(get("/cpipcs/full"));
  EXPECT_NE(r.body.find("<code>1.2.392.999.1</code>"), std::string::npos);
  EXPECT_EQ(r.body.find("割り当てていません"), std::string::npos);
}

}  // namespace
}  // namespace onshi::web
