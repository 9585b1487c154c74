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
  c.ocsp_url.clear();
  c.ca_issuers_url.clear();
  c.root_crl_url.clear();
  c.root_ca_issuers_url.clear();
  c.pickup_valid_days = 60;
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
        "https://portal.example.jp/pki/crl/root.crl", "http://crl.example.jp/issuing.crl"}) {
    EXPECT_NE(r.body.find(url), std::string::npos) << url;
  }
  // The OpenSSL example shows the CRL distribution point a certificate really carries.
  EXPECT_NE(r.body.find("Full Name: URI:http://crl.example.jp/issuing.crl"), std::string::npos);
  EXPECT_NE(r.body.find("取得期限は発行から 60 日です"), std::string::npos);
  EXPECT_NE(r.body.find("fask.or.jp"), std::string::npos) << "the mail domain, from mail.from";
}

TEST_F(CpipcsFull, KeepsEverySectionIdTheSummaryLinksTo) {
  for (const char* id : {"sec-1-4", "sec-1-5", "sec-4-1", "sec-4-4", "sec-4-5-1", "sec-4-6",
                         "sec-4-7", "sec-4-9", "sec-7-4", "sec-7-5", "sec-9-1", "sec-9-4"}) {
    EXPECT_NE(r.body.find(std::string("id=\"") + id + "\""), std::string::npos) << id;
  }
}

TEST(CpipcsFullOid, NamesTheConfiguredPolicyOid) {
  test::SiteEnv s{[](app::Config& c) { c.policy_oid = "1.2.392.999.1"; }};
  const auto r = s.handle(get("/cpipcs/full"));
  EXPECT_NE(r.body.find("<code>1.2.392.999.1</code>"), std::string::npos);
  EXPECT_EQ(r.body.find("割り当てていません"), std::string::npos);
}

}  // namespace
}  // namespace onshi::web
