// A request whose handler meets store::DatabaseUnavailable: 503 with Retry-After, in the form the
// path answers errors in (a page, EST's one line, the API's problem), never the 500 page; OCSP
// answers tryLater. First with handlers that throw it, then through the real routes over a
// database taken out of reach.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "admin_test_env.hpp"
#include "app/ca/ocsp_responder.hpp"
#include "database_outage.hpp"
#include "support/shell.hpp"

namespace onshi::web {
namespace {

using test::get;
using test::header;

constexpr std::string_view kTitle = "ただいまサービスを一時的にご利用いただけません";

Handler throwing() {
  return [](Ctx&) -> Response { throw store::DatabaseUnavailable("pool timeout after 5 s"); };
}

void expect_page(const Response& r, const std::string& what) {
  EXPECT_EQ(r.status, 503) << what;
  EXPECT_EQ(header(r, "Retry-After"), "5") << what;
  EXPECT_EQ(header(r, "Content-Type"), "text/html; charset=utf-8") << what;
  EXPECT_EQ(header(r, "Cache-Control"), "no-store") << what;
  EXPECT_NE(r.body.find("<html lang=\"ja\">"), std::string::npos) << what;
  EXPECT_NE(r.body.find("<h1>" + std::string(kTitle) + "</h1>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<title>" + std::string(kTitle) + " | "), std::string::npos) << what;
  EXPECT_NE(r.body.find("少し時間をおいてから、ページを再読み込みするか"), std::string::npos);
  EXPECT_NE(r.body.find("エラーコード: 503"), std::string::npos) << what;
  EXPECT_EQ(r.body.find("システムエラー"), std::string::npos) << what << ": not the 500 page";
  EXPECT_EQ(r.body.find("pool timeout"), std::string::npos) << what << ": no internal detail";
  EXPECT_FALSE(header(r, "Content-Security-Policy").empty()) << what;
}

void expect_problem(const Response& r, const std::string& path) {
  EXPECT_EQ(r.status, 503) << path;
  EXPECT_EQ(header(r, "Retry-After"), "5") << path;
  EXPECT_EQ(header(r, "Content-Type"), "application/problem+json; charset=utf-8") << path;
  const auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["status"], 503);
  EXPECT_TRUE(body["type"].get<std::string>().ends_with("/problems/unavailable")) << r.body;
  EXPECT_EQ(body["instance"], path);
  EXPECT_NE(body["detail"].get<std::string>().find("Retry-After"), std::string::npos) << r.body;
}

void expect_est_line(const Response& r, const std::string& what) {
  EXPECT_EQ(r.status, 503) << what;
  EXPECT_EQ(header(r, "Retry-After"), "5") << what;
  EXPECT_EQ(header(r, "Content-Type"), "text/plain; charset=utf-8") << what;
  EXPECT_EQ(r.body,
            "ただいまサービスを一時的に利用できません。しばらく時間をおいてから再度お試しください。"
            "\n")
      << what;
}

class ThrowingRoutes : public ::testing::Test {
 protected:
  ThrowingRoutes()
      : site(env.services, metrics,
             {web::get("/page", throwing(), Access::anyone),
              web::get("/api/v1/probe", throwing(), Access::anyone),
              web::get("/.well-known/est/probe", throwing(), Access::anyone),
              web::get(
                  "/bug", [](Ctx&) -> Response { throw std::logic_error("a bug"); },
                  Access::anyone)}) {}
  onshi::test::TestEnv env;
  Metrics metrics;
  Site site;
};

TEST_F(ThrowingRoutes, APageIsTheJapanese503PageWithRetryAfter) {
  expect_page(site.handle(get("/page")), "GET /page");
}

TEST_F(ThrowingRoutes, TheApiAnswersItsProblemUnavailable) {
  expect_problem(site.handle(get("/api/v1/probe")), "/api/v1/probe");
}

TEST_F(ThrowingRoutes, EstAnswersOneLineOfText) {
  expect_est_line(site.handle(get("/.well-known/est/probe")), "EST");
}

TEST_F(ThrowingRoutes, HeadGetsTheStatusAndHeadersWithoutABody) {
  Request r = get("/page");
  r.method = "HEAD";
  const auto resp = site.handle(r);
  EXPECT_EQ(resp.status, 503);
  EXPECT_EQ(header(resp, "Retry-After"), "5");
  EXPECT_TRUE(resp.body.empty());
}

TEST_F(ThrowingRoutes, OtherFailuresAreStillThe500PageAndMetricsCountBoth) {
  const auto bug = site.handle(get("/bug"));
  EXPECT_EQ(bug.status, 500);
  EXPECT_TRUE(header(bug, "Retry-After").empty());
  site.handle(get("/page"));
  const std::string text = metrics.render(0, 0);
  EXPECT_NE(text.find(R"(onshi_http_requests_total{route="/page",method="GET",status="503"} 1)"),
            std::string::npos)
      << text;
}

// The real routes, the database gone after the Site started.
class RealRoutesOutage : public ::testing::Test {
 protected:
  RealRoutesOutage() { o.db.down = true; }
  test::SiteEnv s;
  test::OutageEnv o{s.env};
};

TEST_F(RealRoutesOutage, AClinicPageReadingItsSessionIsThe503Page) {
  expect_page(o.handle(get("/mypage", "onshi_session=some-session-token")), "GET /mypage");
}

TEST_F(RealRoutesOutage, ABackOfficePageToo) {
  const auto r = o.handle(get("/admin", "onshi_admin=some-session-token"));
  expect_page(r, "GET /admin");
}

TEST_F(RealRoutesOutage, TheApiWithABearerTokenIsAProblem) {
  Request r = get("/api/v1/institution");
  r.headers["authorization"] = "Bearer onshi_some-api-token";
  expect_problem(o.handle(r), "/api/v1/institution");
}

TEST_F(RealRoutesOutage, AVisitorsFormPostIsThe503Page) {
  o.db.down = false;
  const auto form = o.handle(get("/login"));
  const auto cookie = "onshi_csrf=" + test::set_cookie_value(form, "onshi_csrf");
  o.db.down = true;
  const auto r = o.handle(test::post("/login",
                                     test::form_body({{"csrf_token", test::csrf_in(form.body)},
                                                      {"email", "clinic@example.jp"},
                                                      {"password", "some password"}}),
                                     cookie));
  expect_page(r, "POST /login");
}

// OCSP answers every refusal as an OCSP response: tryLater, the status for "temporarily unable".
TEST(OcspOutage, TryLaterInsteadOfInternalError) {
  test::AdminEnv a;
  a.open_ca();
  auto& env = a.s.env;
  env.config.ocsp_cache_check_ms = 0;  // the store's epoch is read before every answer
  ASSERT_GT(app::renew_ocsp_responders(env.services), 0);
  const auto req = env.dir.path() / "req.der";
  onshi::test::shell_output("openssl ocsp -issuer " + (env.dir.path() / "ca/issuing.crt").string() +
                            " -serial 0x01 -no_nonce -reqout " + req.string());
  std::ifstream in(req, std::ios::binary);
  const std::string der{std::istreambuf_iterator<char>(in), {}};
  ASSERT_FALSE(der.empty());

  test::OutageEnv o(env);
  const auto post = test::post("/pki/ocsp", der, {}, "application/ocsp-request");
  const auto up = o.handle(post);
  ASSERT_EQ(up.status, 200);
  EXPECT_GT(up.body.size(), 5u) << "a signed response, not a bare refusal";
  o.db.down = true;
  const auto down = o.handle(post);
  EXPECT_EQ(down.status, 200);
  EXPECT_EQ(down.body, std::string("\x30\x03\x0a\x01\x03", 5)) << "tryLater";
  EXPECT_EQ(header(down, "Cache-Control"), "no-store");
}

}  // namespace
}  // namespace onshi::web
