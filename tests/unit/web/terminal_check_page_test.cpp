// The 接続確認 page through the dispatcher, with the chain the TLS listener would hand over: the
// picked-up certificate named and usable (and 問題点 when garbage follows it), the plain listener's
// page pointing at https, and a 200 with the page's own words for anything a client may send
// instead of a certificate.
#include <gtest/gtest.h>

#include "app/ca/est.hpp"
#include "issued_certificates_env.hpp"
#include "util/text.hpp"

namespace onshi::web {
namespace {

using test::IssuingSiteTest;

class TerminalCheckPageTest : public IssuingSiteTest {
 protected:
  Response open(std::vector<std::string> chain, bool tls = true) {
    auto r = test::get("/terminal-check");
    r.tls = tls;
    r.peer_certificates = std::move(chain);
    return a.s.handle(r);
  }
  const std::string& words(const std::string& key) {
    return a.s.env.services.messages.get("terminal_check_page." + key);
  }
  static bool has(const Response& r, std::string_view text) {
    return r.body.find(text) != std::string::npos;
  }
};

TEST_F(TerminalCheckPageTest, NamesAPickedUpCertificateAndSaysItIsUsable) {
  const auto issued = issue(user, onshi::test::certificate_form("1", "tc1"));
  ASSERT_EQ(issued.size(), 1u);
  ASSERT_TRUE(app::est_serverkeygen(a.s.env.services, {issued[0].number, issued[0].code, "x"}, ""));
  const auto c = current(issued[0].number);
  const auto r = open({c.der});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(test::header(r, "Cache-Control"), "no-store");
  for (const auto& part :
       {c.issuance_number, util::group_serial(c.serial_hex), std::string("1310123455"),
        std::string("テストクリニック"), std::string("<dd>T01</dd>"), words("verdict.usable")}) {
    EXPECT_TRUE(has(r, part)) << part;
  }
  EXPECT_FALSE(has(r, "次にすること"));
  EXPECT_FALSE(has(r, "問題点"));
  // The first problem OpenSSL met is listed, in the catalogue's words.
  const auto broken = open({c.der, "garbage"});
  EXPECT_TRUE(has(broken, "問題点：" + words("problem.other"))) << broken.body;
  EXPECT_TRUE(has(broken, words("verdict.unverified")));
}

TEST_F(TerminalCheckPageTest, OverPlainHttpItPointsAtTheTlsListener) {
  auto r = open({}, false);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(has(r, words("verdict.not_tls")));
  EXPECT_TRUE(has(r, "「https://」に変えて")) << "no TLS listener: change the address";
  EXPECT_FALSE(has(r, "https で開き直す"));
  a.s.env.config.tls_listen = "0.0.0.0:8443";
  auto request = test::get("/terminal-check");
  request.headers["host"] = "portal.example.jp:8080";
  r = a.s.handle(request);
  EXPECT_TRUE(has(r, "href=\"https://portal.example.jp:8443/terminal-check\"")) << r.body;
  EXPECT_FALSE(has(r, words("verdict.usable")));
}

TEST_F(TerminalCheckPageTest, AnythingAClientSendsGetsThePageNeverAnError) {
  const std::vector<std::vector<std::string>> chains = {
      {},
      {""},
      {"garbage"},
      std::vector<std::string>(10, std::string(100000, '\x30')),
      {std::string("\x30\x82\xff\xff", 4)},
  };
  for (const auto& chain : chains) {
    const auto r = open(chain);
    EXPECT_EQ(r.status, 200) << chain.size();
    EXPECT_FALSE(has(r, words("verdict.usable")));
    EXPECT_TRUE(
        has(r, chain.empty() ? words("verdict.no_certificate") : words("verdict.unreadable")));
  }
  const auto head = [&] {
    auto r = test::get("/terminal-check");
    r.method = "HEAD";
    r.tls = true;
    return a.s.handle(r);
  }();
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
}

TEST(TerminalCheckPage, WithoutACaItSaysSoOnceACertificateIsOffered) {
  test::SiteEnv s;
  auto r = test::get("/terminal-check");
  r.tls = true;
  r.peer_certificates = {"x"};
  const auto answer = s.handle(r);
  EXPECT_EQ(answer.status, 503);
  EXPECT_NE(answer.body.find(s.env.services.messages.get("terminal_check_page.no_ca")),
            std::string::npos);
  r.tls = false;
  EXPECT_EQ(s.handle(r).status, 200) << "the plain page needs no CA";
}

}  // namespace
}  // namespace onshi::web
