// Site::handle without a socket: routing, error pages, CSRF refusal, headers, static files, ops.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "site_test_env.hpp"

namespace onshi::web {
namespace {

using test::get;
using test::header;
using test::post;

void expect_security_headers(const Response& r, const std::string& what) {
  const auto csp = header(r, "Content-Security-Policy");
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << what << ": " << csp;
  EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << what;
  EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff") << what;
  EXPECT_EQ(header(r, "X-Frame-Options"), "DENY") << what;
  EXPECT_EQ(header(r, "Referrer-Policy"), "same-origin") << what;
  EXPECT_TRUE(header(r, "Strict-Transport-Security").empty()) << what << ": plain http";
}

class SiteTest : public ::testing::Test {
 protected:
  test::SiteEnv s;
};

TEST_F(SiteTest, TopPageOffersLoginAndSetsACsrfCookie) {
  const auto r = s.handle(get("/"));
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("すでにアカウントをお持ちの方はログイン"), std::string::npos);
  EXPECT_NE(r.body.find("href=\"/register\""), std::string::npos);
  EXPECT_TRUE(header(r, "Content-Type").starts_with("text/html")) << header(r, "Content-Type");
  const auto cookie = test::set_cookie_line(r, "onshi_csrf");
  ASSERT_FALSE(cookie.empty());
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos);
  EXPECT_GE(test::set_cookie_value(r, "onshi_csrf").size(), 32u);
  expect_security_headers(r, "GET /");
}

TEST_F(SiteTest, AKnownCsrfCookieIsNotReissued) {
  const auto first = s.handle(get("/login"));
  const auto value = test::set_cookie_value(first, "onshi_csrf");
  ASSERT_FALSE(value.empty());
  const auto second = s.handle(get("/login", "onshi_csrf=" + value));
  EXPECT_TRUE(test::set_cookie_line(second, "onshi_csrf").empty());
  EXPECT_EQ(test::csrf_in(first.body), test::csrf_in(second.body));
}

TEST_F(SiteTest, UnknownPathIs404) {
  const auto r = s.handle(get("/nope"));
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("ページが見つかりません"), std::string::npos);
  expect_security_headers(r, "404");
}

TEST_F(SiteTest, WrongMethodIs405) {
  Request r = get("/login");
  r.method = "DELETE";
  const auto resp = s.handle(r);
  EXPECT_EQ(resp.status, 405);
  EXPECT_NE(resp.body.find("この操作は許可されていません"), std::string::npos);
  EXPECT_FALSE(header(resp, "Allow").empty());
  expect_security_headers(resp, "405");
  EXPECT_EQ(s.handle(post("/healthz", "")).status, 405);
}

TEST_F(SiteTest, PostWithoutCsrfTokenIs403) {
  const auto r = s.handle(post("/login", "email=a%40b.jp&password=x"));
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("画面の有効期限が切れました"), std::string::npos);
  expect_security_headers(r, "403");
}

TEST_F(SiteTest, PostWithAForeignCsrfTokenIs403) {
  const auto page = s.handle(get("/login"));
  const auto token = test::csrf_in(page.body);
  ASSERT_FALSE(token.empty());
  // The token is bound to the cookie it came with: another cookie, or none, does not match.
  EXPECT_EQ(s.handle(post("/login", "csrf_token=" + token, "onshi_csrf=someone-else")).status, 403);
  EXPECT_EQ(s.handle(post("/login", "csrf_token=" + token)).status, 403);
}

// Regression: every 405 claimed "GET, HEAD, POST" whatever the path supports.
TEST_F(SiteTest, AllowListsOnlyThePathsMethods) {
  EXPECT_EQ(header(s.handle(post("/healthz", "")), "Allow"), "GET, HEAD");
  Request r = get("/logout");
  EXPECT_EQ(header(s.handle(r), "Allow"), "POST");
  r = get("/login");
  r.method = "PUT";
  EXPECT_EQ(header(s.handle(r), "Allow"), "GET, HEAD, POST");
}

TEST_F(SiteTest, FormMediaTypeIsCaseInsensitive) {
  // Without a CSRF token the answer is 403; a 415 would mean the type itself was refused.
  EXPECT_EQ(
      s.handle(post("/login", "email=a", {}, "Application/X-WWW-Form-Urlencoded; charset=UTF-8"))
          .status,
      403);
}

TEST_F(SiteTest, NonFormPostIs415) {
  const auto r = s.handle(post("/login", "email=a", {}, "text/plain"));
  EXPECT_EQ(r.status, 415);
  expect_security_headers(r, "415");
  EXPECT_EQ(s.handle(post("/login", "email=a", {}, "")).status, 415);
  EXPECT_EQ(s.handle(post("/login", "{}", {}, "application/json")).status, 415);
}

TEST_F(SiteTest, MalformedFormIs400) {
  for (const char* body : {"%zz", "a=%4", "email=%FF"}) {
    const auto r = s.handle(post("/login", body));
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_NE(r.body.find("送信された内容を読み取れませんでした"), std::string::npos) << body;
    expect_security_headers(r, body);
  }
}

TEST_F(SiteTest, StaticFilesServeOnlyPlainNames) {
  const auto css = s.handle(get("/static/style.css"));
  ASSERT_EQ(css.status, 200);
  EXPECT_TRUE(header(css, "Content-Type").starts_with("text/css"));
  std::ifstream in(std::filesystem::path(ONSHI_SOURCE_DIR) / "static/style.css", std::ios::binary);
  std::ostringstream file;
  file << in.rdbuf();
  EXPECT_EQ(css.body, file.str());
  expect_security_headers(css, "static");

  for (const char* path :
       {"/static/../CMakeLists.txt", "/static/.hidden", "/static/", "/static/missing.css",
        "/static/sub/style.css", "/static/..", "/static/%2e%2e%2fCMakeLists.txt"}) {
    const auto r = s.handle(get(path));
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.body.find("cmake_minimum_required"), std::string::npos) << path;
    expect_security_headers(r, path);
  }
}

TEST_F(SiteTest, HeadAnswersLikeGetWithoutABody) {
  const auto r = s.handle([] {
    Request q = get("/static/style.css");
    q.method = "HEAD";
    return q;
  }());
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.empty());
  EXPECT_TRUE(header(r, "Content-Type").starts_with("text/css"));
}

TEST_F(SiteTest, HealthzAnswersOk) {
  const auto r = s.handle(get("/healthz"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"ok","database":"ok","ca":"none"})");
  EXPECT_EQ(header(r, "Content-Type"), "application/json");
}

TEST_F(SiteTest, MetricsCountWhatWasServed) {
  s.handle(get("/"));
  s.handle(get("/"));
  s.handle(get("/nope"));
  const auto r = s.handle(get("/metrics"));
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(header(r, "Content-Type").starts_with("text/plain"));
  EXPECT_NE(r.body.find(R"(onshi_http_requests_total{route="/",method="GET",status="200"} 2)"),
            std::string::npos)
      << r.body;
  EXPECT_NE(
      r.body.find(R"(onshi_http_requests_total{route="unmatched",method="GET",status="404"} 1)"),
      std::string::npos);
  EXPECT_NE(r.body.find("onshi_outbox_pending 0\n"), std::string::npos);
}

TEST_F(SiteTest, BodyOverTheLimitIs413) {
  s.env.config.max_body_bytes = 64;
  const auto r = s.handle(post("/login", "email=" + std::string(100, 'a')));
  EXPECT_EQ(r.status, 413);
  expect_security_headers(r, "413");
}

TEST(SiteHttps, SecureCookiesAndHsts) {
  test::SiteEnv s([](app::Config& c) { c.base_url = "https://portal.example.jp"; });
  const auto r = s.handle(get("/"));
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(test::set_cookie_line(r, "onshi_csrf").find("; Secure"), std::string::npos);
  EXPECT_FALSE(header(r, "Strict-Transport-Security").empty());
}

TEST(SiteCsrfKey, IsSharedThroughTheDatabase) {
  test::SiteEnv s;
  const auto page = s.handle(get("/login"));
  const auto cookie = "onshi_csrf=" + test::set_cookie_value(page, "onshi_csrf");
  const auto token = test::csrf_in(page.body);
  ASSERT_FALSE(token.empty());
  // A second node on the same database accepts the first one's token.
  Site other(s.env.services, s.metrics);
  const auto r =
      other.handle(post("/login", "csrf_token=" + token + "&email=x%40y.jp&password=z", cookie));
  EXPECT_EQ(r.status, 401);
}

}  // namespace
}  // namespace onshi::web
