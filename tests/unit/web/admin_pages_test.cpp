// The back office's front door through Site::handle: operator login with password and TOTP, the
// onshi_admin cookie, redirects, role checks and the CSRF binding to the operator's session.
#include <gtest/gtest.h>

#include "admin_test_env.hpp"
#include "app/accounts/accounts.hpp"
#include "web/display.hpp"

namespace onshi::web {
namespace {

using test::get;
using test::header;
using test::post;

constexpr const char* kPages[] = {"/admin", "/admin/applications", "/admin/applications/C-00000001",
                                  "/admin/letters", "/admin/audit"};

class AdminPagesTest : public ::testing::Test {
 protected:
  test::AdminEnv a;
};

TEST_F(AdminPagesTest, EveryPageSendsAnonymousVisitorsToTheLogin) {
  for (const std::string cookie : {"", "onshi_admin=forged", "onshi_admin="}) {
    for (const auto* path : kPages) {
      const auto r = a.s.handle(get(path, cookie));
      EXPECT_EQ(r.status, 303) << path << " " << cookie;
      EXPECT_EQ(header(r, "Location"), "/admin/login") << path;
    }
  }
}

TEST_F(AdminPagesTest, LoginPageAsksForIdPasswordAndCode) {
  const auto r = a.s.handle(get("/admin/login"));
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("onshi 運営 — 医療機関等向けポータルサイト 管理画面"), std::string::npos);
  for (const auto* label : {"ログインID", "パスワード", "確認コード（認証アプリの6桁）"}) {
    EXPECT_NE(r.body.find(label), std::string::npos) << label;
  }
  EXPECT_EQ(header(r, "Cache-Control"), "no-store");
}

TEST_F(AdminPagesTest, LoginSetsAStrictCookieForAdminOnly) {
  const auto r = a.submit_login("admin", test::kOperatorPassword, a.code_now("admin"));
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(header(r, "Location"), "/admin");
  const auto line = test::set_cookie_line(r, "onshi_admin");
  EXPECT_NE(line.find("; Path=/admin;"), std::string::npos) << line;
  EXPECT_NE(line.find("; HttpOnly"), std::string::npos) << line;
  EXPECT_NE(line.find("; SameSite=Strict"), std::string::npos) << line;
  EXPECT_EQ(line.find("Secure"), std::string::npos) << line;
  EXPECT_TRUE(test::set_cookie_line(r, "onshi_session").empty());

  const auto page =
      a.s.handle(get("/admin", "onshi_admin=" + test::set_cookie_value(r, "onshi_admin")));
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("admin 担当（管理）"), std::string::npos);
  for (const auto* nav : {"ダッシュボード", "審査一覧", "通知書・書留", "監査ログ", "ログアウト"}) {
    EXPECT_NE(page.body.find(nav), std::string::npos) << nav;
  }
  EXPECT_EQ(header(page, "Cache-Control"), "no-store");
  // Logged in, the login page goes to the dashboard.
  const auto again =
      a.s.handle(get("/admin/login", "onshi_admin=" + test::set_cookie_value(r, "onshi_admin")));
  EXPECT_EQ(again.status, 303);
}

TEST_F(AdminPagesTest, AWrongCodeKeepsTheLoginButNotThePassword) {
  const auto r = a.submit_login("reviewer", test::kOperatorPassword, "000000");
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find(a.s.env.messages.get("operator_login.bad_credentials")), std::string::npos);
  EXPECT_NE(r.body.find(R"(value="reviewer")"), std::string::npos);
  EXPECT_EQ(r.body.find(std::string(test::kOperatorPassword)), std::string::npos);
  EXPECT_EQ(r.body.find("000000"), std::string::npos);
  EXPECT_TRUE(test::set_cookie_line(r, "onshi_admin").empty());
}

TEST_F(AdminPagesTest, RepeatedFailuresAreThrottled) {
  for (int i = 0; i < 5; ++i) a.submit_login("issuer", "wrong password here", "123456");
  const auto r = a.submit_login("issuer", test::kOperatorPassword, a.code_now("issuer"));
  EXPECT_EQ(r.status, 429);
  EXPECT_NE(r.body.find(a.s.env.messages.get("operator_login.throttled")), std::string::npos);
}

TEST_F(AdminPagesTest, RolesLimitThePages) {
  const auto reviewer = a.login("reviewer");
  const auto issuer = a.login("issuer");
  const auto admin = a.login("admin");
  const std::string forbidden = a.s.env.messages.get("review.forbidden");
  struct Case {
    const std::string& cookie;
    const char* path;
    int status;
  };
  for (const auto& c : {Case{reviewer, "/admin", 200}, Case{reviewer, "/admin/applications", 200},
                        Case{reviewer, "/admin/letters", 403}, Case{reviewer, "/admin/audit", 403},
                        Case{issuer, "/admin/letters", 200}, Case{issuer, "/admin/audit", 403},
                        Case{admin, "/admin/letters", 200}, Case{admin, "/admin/audit", 200}}) {
    const auto r = a.s.handle(get(c.path, c.cookie));
    EXPECT_EQ(r.status, c.status) << c.path << " " << c.cookie;
    if (c.status == 403) {
      EXPECT_NE(r.body.find(forbidden), std::string::npos) << c.path;
    }
  }
  // The menu offers only what the role may open.
  const auto page = a.s.handle(get("/admin", reviewer)).body;
  EXPECT_EQ(page.find("href=\"/admin/letters\""), std::string::npos);
  EXPECT_EQ(page.find("href=\"/admin/audit\""), std::string::npos);
  // Posting what the role may not do is refused before anything happens.
  const auto token = a.token_of("/admin", reviewer);
  const auto print =
      a.s.handle(post("/admin/letters/print", test::form_body({{"csrf_token", token}}), reviewer));
  EXPECT_EQ(print.status, 403);
}

TEST_F(AdminPagesTest, FormsAreBoundToTheOperatorSession) {
  const auto cookie = a.login("admin");
  const auto token = a.token_of("/admin", cookie);
  ASSERT_FALSE(token.empty());
  const auto [anon_cookie, anon_token] = a.login_form();
  EXPECT_NE(token, anon_token);
  // Another operator's token does not work with this cookie.
  const auto other = a.login("issuer");
  const auto foreign = a.s.handle(post(
      "/admin/logout", test::form_body({{"csrf_token", a.token_of("/admin", other)}}), cookie));
  EXPECT_EQ(foreign.status, 403);
  // While the session is valid, an anonymous pair (cookie and token, as a page before login
  // hands out) does not vouch for the operator's forms: such a pair can be planted.
  EXPECT_EQ(a.s.handle(post("/admin/logout", test::form_body({{"csrf_token", anon_token}}),
                            cookie + "; " + anon_cookie))
                .status,
            403);
  // A clinic session's token is no good below /admin, nor the operator's on the portal.
  ASSERT_TRUE(
      app::create_verified_account(a.s.env.services, {"staff@clinic.example.jp", "1310123455",
                                                      "テストクリニック", "correct horse battery"})
          .has_value());
  auto session = app::login(a.s.env.services, "staff@clinic.example.jp", "correct horse battery");
  ASSERT_TRUE(session.has_value());
  const std::string clinic = "onshi_session=" + session->session_token;
  const auto clinic_token = test::csrf_in(a.s.handle(get("/mypage", clinic)).body);
  ASSERT_FALSE(clinic_token.empty());
  EXPECT_EQ(a.s.handle(post("/admin/logout", test::form_body({{"csrf_token", clinic_token}}),
                            clinic + "; " + cookie))
                .status,
            403);
  EXPECT_EQ(
      a.s.handle(post("/logout", test::form_body({{"csrf_token", token}}), clinic + "; " + cookie))
          .status,
      403);

  const auto out =
      a.s.handle(post("/admin/logout", test::form_body({{"csrf_token", token}}), cookie));
  ASSERT_EQ(out.status, 303);
  EXPECT_EQ(header(out, "Location"), "/admin/login");
  const auto cleared = test::set_cookie_line(out, "onshi_admin");
  EXPECT_NE(cleared.find("Max-Age=0"), std::string::npos) << cleared;
  EXPECT_NE(cleared.find("Path=/admin"), std::string::npos) << cleared;
  EXPECT_EQ(a.s.handle(get("/admin", cookie)).status, 303);
}

TEST_F(AdminPagesTest, AFormSentAfterTheSessionEndedGoesToTheLogin) {
  const auto cookie = a.login("reviewer");
  const auto token = a.token_of("/admin", cookie);
  a.s.handle(post("/admin/logout", test::form_body({{"csrf_token", token}}), cookie));
  const auto r =
      a.s.handle(post("/admin/applications/C-00000001",
                      test::form_body({{"csrf_token", token}, {"action", "approve"}}), cookie));
  EXPECT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(header(r, "Location"), "/admin/login");
}

TEST_F(AdminPagesTest, NoAnswerBelowAdminIsCached) {
  const auto cookie = a.login("reviewer");
  const Request answers[] = {
      get("/admin"),                                  // 303 to the login
      get("/admin/nowhere", cookie),                  // 404
      get("/admin/letters", cookie),                  // 403 for a reviewer
      post("/admin/applications", "", cookie),        // 405
      get("/admin/applications/C-99999999", cookie),  // 404 of an application
      get("/admin", cookie),                          // the dashboard
  };
  for (const auto& r : answers) {
    const auto answer = a.s.handle(r);
    EXPECT_EQ(header(answer, "Cache-Control"), "no-store")
        << r.method << " " << r.path << " " << answer.status;
  }
}

TEST(AdminPagesHttps, TheOperatorCookieIsSecure) {
  test::AdminEnv a([](app::Config& c) { c.base_url = "https://portal.test"; });
  const auto r = a.submit_login("admin", test::kOperatorPassword, a.code_now("admin"));
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_NE(test::set_cookie_line(r, "onshi_admin").find("; Secure"), std::string::npos);
}

TEST(Display, RegisteredMailNumbersReadInGroupsOfFour) {
  EXPECT_EQ(tracking_number_shown("12345678901"), "1234-5678-901");
  EXPECT_EQ(tracking_number_shown("123456789012"), "1234-5678-9012");
  EXPECT_EQ(tracking_number_shown("1234567890123"), "1234-5678-90123");
}

}  // namespace
}  // namespace onshi::web
