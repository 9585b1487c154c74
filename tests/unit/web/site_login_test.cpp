// A full login, マイページ and logout through Site::handle.
#include <gtest/gtest.h>

#include "app/accounts/accounts.hpp"
#include "site_test_env.hpp"

namespace onshi::web {
namespace {

using test::get;
using test::header;
using test::post;

constexpr std::string_view kEmail = "staff@clinic.example.jp";
constexpr std::string_view kPassword = "correct horse battery";
constexpr std::string_view kName = "医療法人テスト会 テストクリニック";

class SiteLoginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(app::create_verified_account(
                    s.env.services,
                    {std::string(kEmail), "1310123455", std::string(kName), std::string(kPassword)})
                    .has_value());
    const auto page = s.handle(get("/login"));
    ASSERT_EQ(page.status, 200);
    csrf_cookie = "onshi_csrf=" + test::set_cookie_value(page, "onshi_csrf");
    csrf_token = test::csrf_in(page.body);
    ASSERT_FALSE(csrf_token.empty());
  }

  Response submit_login(std::string_view email, std::string_view password) {
    return s.handle(post(
        "/login",
        test::form_body({{"csrf_token", csrf_token}, {"email", email}, {"password", password}}),
        csrf_cookie));
  }

  // Logs in and returns the Cookie header for the session.
  std::string session_cookie() {
    const auto r = submit_login(kEmail, kPassword);
    EXPECT_EQ(r.status, 303);
    return "onshi_session=" + test::set_cookie_value(r, "onshi_session");
  }

  test::SiteEnv s;
  std::string csrf_cookie;
  std::string csrf_token;
};

TEST_F(SiteLoginTest, LoginRedirectsToMypageWithASessionCookie) {
  const auto r = submit_login(kEmail, kPassword);
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(header(r, "Location"), "/mypage");
  const auto line = test::set_cookie_line(r, "onshi_session");
  ASSERT_FALSE(line.empty());
  EXPECT_NE(line.find("; HttpOnly"), std::string::npos) << line;
  EXPECT_NE(line.find("; SameSite=Lax"), std::string::npos) << line;
  EXPECT_NE(line.find("; Path=/"), std::string::npos) << line;
  EXPECT_EQ(line.find("Secure"), std::string::npos) << line;
  const auto token = test::set_cookie_value(r, "onshi_session");
  EXPECT_EQ(token.size(), 43u);
  EXPECT_TRUE(app::resolve_session(s.env.services, token).has_value());
}

TEST_F(SiteLoginTest, MypageShowsTheInstitution) {
  const auto cookie = session_cookie();
  const auto r = s.handle(get("/mypage", cookie));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(kName), std::string::npos);
  EXPECT_NE(r.body.find("13-1-0123455"), std::string::npos);
  EXPECT_NE(r.body.find(kEmail), std::string::npos);
  EXPECT_EQ(header(r, "Cache-Control"), "no-store");
}

TEST_F(SiteLoginTest, MypageWithoutASessionRedirectsToLogin) {
  for (const std::string cookie : {"", "onshi_session=forged", "onshi_session="}) {
    const auto r = s.handle(get("/mypage", cookie));
    EXPECT_EQ(r.status, 303) << cookie;
    EXPECT_EQ(header(r, "Location"), "/login") << cookie;
  }
}

TEST_F(SiteLoginTest, LoggedInVisitorsSkipTopAndLogin) {
  const auto cookie = session_cookie();
  EXPECT_EQ(header(s.handle(get("/", cookie)), "Location"), "/mypage");
  EXPECT_EQ(header(s.handle(get("/login", cookie)), "Location"), "/mypage");
}

TEST_F(SiteLoginTest, WrongPasswordIs401AndKeepsTheEmailButNotThePassword) {
  const auto r = submit_login(kEmail, "wrong password here");
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("メールアドレスまたはパスワードが正しくありません。"), std::string::npos);
  EXPECT_NE(r.body.find(kEmail), std::string::npos);
  EXPECT_EQ(r.body.find("wrong password here"), std::string::npos);
  EXPECT_TRUE(test::set_cookie_line(r, "onshi_session").empty());
  // An unknown address gets the very same words.
  const auto unknown = submit_login("nobody@clinic.example.jp", kPassword);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_NE(unknown.body.find("メールアドレスまたはパスワードが正しくありません。"),
            std::string::npos);
}

TEST_F(SiteLoginTest, TypedValuesAreHtmlEscaped) {
  const auto r = submit_login("<script>alert(1)</script>@x.jp", "whatever password");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body.find("<script>alert(1)"), std::string::npos);
  EXPECT_NE(r.body.find("&lt;script&gt;"), std::string::npos);
}

TEST_F(SiteLoginTest, FiveFailuresThrottleWith429) {
  for (int i = 0; i < 5; ++i) ASSERT_EQ(submit_login(kEmail, "wrong password here").status, 401);
  const auto r = submit_login(kEmail, kPassword);
  EXPECT_EQ(r.status, 429);
  EXPECT_NE(r.body.find("ログインの試行回数が上限に達しました"), std::string::npos);
  s.env.clock.advance(std::chrono::seconds(60));
  EXPECT_EQ(submit_login(kEmail, kPassword).status, 303);
}

TEST_F(SiteLoginTest, LogoutEndsTheSession) {
  const auto cookie = session_cookie();
  const auto mypage = s.handle(get("/mypage", cookie));
  ASSERT_EQ(mypage.status, 200);
  const auto token = test::csrf_in(mypage.body);  // bound to the session now
  ASSERT_FALSE(token.empty());
  EXPECT_NE(token, csrf_token);
  const auto r = s.handle(post("/logout", "csrf_token=" + token, cookie));
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(header(r, "Location"), "/");
  const auto line = test::set_cookie_line(r, "onshi_session");
  EXPECT_TRUE(line.starts_with("onshi_session=;")) << line;
  EXPECT_NE(line.find("Max-Age=0"), std::string::npos) << line;
  EXPECT_EQ(header(s.handle(get("/mypage", cookie)), "Location"), "/login");
}

TEST_F(SiteLoginTest, SessionCookieExpiresWhenIdle) {
  const auto cookie = session_cookie();
  s.env.clock.advance(std::chrono::minutes(31));
  EXPECT_EQ(header(s.handle(get("/mypage", cookie)), "Location"), "/login");
}

TEST_F(SiteLoginTest, AFormOpenedBeforeTheSessionEndedAsksToLogInAgain) {
  const auto cookie = session_cookie();
  const auto token = test::csrf_in(s.handle(get("/mypage", cookie)).body);
  s.env.clock.advance(std::chrono::minutes(31));
  // Not 403: the token is the one the page gave, and the page now asks to log in.
  const auto r = s.handle(post("/usage-application/confirm", "csrf_token=" + token, cookie));
  EXPECT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(header(r, "Location"), "/login");
}

TEST_F(SiteLoginTest, WhileSignedInOnlyVisitorFormsTakeTheAnonymousToken) {
  const auto cookie = session_cookie();
  const auto both = cookie + "; " + csrf_cookie;
  // The login form opened before logging in (in another tab) still works...
  const auto again = s.handle(post(
      "/login",
      test::form_body({{"csrf_token", csrf_token}, {"email", kEmail}, {"password", kPassword}}),
      both));
  EXPECT_EQ(again.status, 303) << again.body;
  // ...and ends the session the browser had, in favour of the new one...
  EXPECT_EQ(header(s.handle(get("/mypage", cookie)), "Location"), "/login");
  const auto renewed = "onshi_session=" + test::set_cookie_value(again, "onshi_session");
  // ...but the anonymous pair does not vouch for a signed-in form.
  EXPECT_EQ(
      s.handle(post("/logout", "csrf_token=" + csrf_token, renewed + "; " + csrf_cookie)).status,
      403);
  EXPECT_EQ(s.handle(get("/mypage", renewed)).status, 200) << "still signed in";
}

}  // namespace
}  // namespace onshi::web
