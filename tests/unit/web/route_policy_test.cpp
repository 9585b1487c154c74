// Routes carry their policy (site.hpp) and the dispatcher enforces it before a handler runs. These
// walk the real route table, so that a new route cannot forget its guard or its CSRF check, and
// drive the dispatcher with routes whose handlers must never be reached.
#include <gtest/gtest.h>

#include <set>

#include "site_test_env.hpp"

namespace onshi::web {
namespace {

using test::SiteEnv;

bool is_admin(const Route& r) {
  return r.path == "/admin" || r.path.starts_with("/admin/");
}

TEST(RoutePolicy, EveryBackOfficeRouteButLoginAndLogoutDemandsAnOperator) {
  SiteEnv env;
  int checked = 0;
  for (const auto& r : env.site->routes()) {
    if (!is_admin(r)) continue;
    ++checked;
    if (r.path == "/admin/login" || r.path == "/admin/logout") {
      EXPECT_EQ(r.access, Access::anyone) << r.method << ' ' << r.path;
      continue;
    }
    EXPECT_EQ(r.access, Access::staff) << r.method << ' ' << r.path;
  }
  EXPECT_GE(checked, 10);
}

TEST(RoutePolicy, EveryPostSaysWhatItTakesAndEveryPagePostIsAFormWithCsrf) {
  SiteEnv env;
  for (const auto& r : env.site->routes()) {
    if (r.method == "GET") {
      EXPECT_EQ(r.body, Body::none) << r.path;
      continue;
    }
    ASSERT_EQ(r.method, "POST") << r.path;
    EXPECT_NE(r.body, Body::none) << r.path;
    if (r.path.starts_with("/api/")) {
      EXPECT_EQ(r.body, Body::json) << r.path;
    } else if (r.body != Body::binary) {
      EXPECT_TRUE(r.body == Body::form || r.body == Body::visitor_form) << r.path;
    } else {
      EXPECT_FALSE(r.content_type.empty()) << r.path;
    }
    // Only the pages a visitor posts before logging in take the anonymous CSRF binding, and the
    // pickup pages, which whoever holds the notice letter posts, logged in or not.
    if (r.body == Body::visitor_form) {
      static const std::set<std::string> visitor_posts = {
          "/register",    "/verify", "/login",         "/password/forgot", "/password/reset",
          "/admin/login", "/pickup", "/pickup/pkcs12", "/pickup/chain",    "/pickup/csr"};
      EXPECT_TRUE(visitor_posts.contains(r.path)) << r.path;
    }
  }
}

TEST(RoutePolicy, ThePortalsOwnPagesDemandASessionAndTheApiAToken) {
  SiteEnv env;
  for (const auto& r : env.site->routes()) {
    for (const auto* prefix :
         {"/mypage", "/usage-application", "/certificate-application", "/password/change"}) {
      if (r.path.starts_with(prefix)) {
        EXPECT_EQ(r.access, Access::clinic) << r.path;
      }
    }
    if (r.path.starts_with("/api/v1/usage-applications") || r.path == "/api/v1/institution") {
      EXPECT_EQ(r.access, Access::clinic_api) << r.path;
    }
  }
}

TEST(RoutePolicy, NoTwoRoutesAnswerTheSameMethodAndPath) {
  SiteEnv env;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& r : env.site->routes()) {
    EXPECT_TRUE(seen.emplace(r.method, r.path).second) << r.method << ' ' << r.path;
  }
}

TEST(PathPattern, ParametersTakeOneSegmentAndARestParameterTheRest) {
  EXPECT_EQ(match_path("/a/{n}", "/a/C-1")->at("n"), "C-1");
  EXPECT_FALSE(match_path("/a/{n}", "/a/"));
  EXPECT_FALSE(match_path("/a/{n}", "/a/b/c"));
  EXPECT_FALSE(match_path("/a/{n}", "/a"));
  EXPECT_EQ(match_path("/a/{n}/cancel", "/a/x/cancel")->at("n"), "x");
  EXPECT_FALSE(match_path("/a/{n}/cancel", "/a/x/other"));
  EXPECT_EQ(match_path("/s/{f...}", "/s/css/site.css")->at("f"), "css/site.css");
  EXPECT_EQ(match_path("/s/{f...}", "/s/")->at("f"), "");
  EXPECT_FALSE(match_path("/s/{f...}", "/s"));
  EXPECT_TRUE(match_path("/exact", "/exact"));
  EXPECT_FALSE(match_path("/exact", "/exact/"));
}

// A dispatcher over routes whose handlers count the calls that reach them.
struct Probe {
  int reached = 0;
  Handler handler() {
    return [this](Ctx&) {
      ++reached;
      return Response::text(200, "text/plain", "reached");
    };
  }
};

TEST(Dispatcher, RefusesWhatTheRoutePolicyForbidsBeforeTheHandlerRuns) {
  test::SiteEnv env;
  Probe probe;
  Routes routes;
  routes.push_back(get("/clinic", probe.handler(), Access::clinic));
  routes.push_back(get("/staff", probe.handler(), Access::staff));
  routes.push_back(post("/form", probe.handler(), Access::anyone, Body::form));
  routes.push_back(
      post("/csr", probe.handler(), Access::tls_client, Body::binary, "application/pkcs10"));
  routes.push_back(
      post("/ocsp", probe.handler(), Access::anyone, Body::binary, "application/ocsp-request"));
  routes.push_back(get("/api/v1/thing", probe.handler(), Access::clinic_api));
  Site site(env.env.services, env.metrics, std::move(routes));

  EXPECT_EQ(site.handle(test::get("/clinic")).status, 303);
  EXPECT_EQ(test::header(site.handle(test::get("/staff")), "Location"), "/admin/login");
  EXPECT_EQ(site.handle(test::get("/api/v1/thing")).status, 401);
  // A form without its CSRF token, and a form of the wrong media type.
  EXPECT_EQ(site.handle(test::post("/form", "a=1")).status, 403);
  EXPECT_EQ(site.handle(test::post("/form", "{}", {}, "application/json")).status, 415);
  // No client certificate on the plain listener.
  EXPECT_EQ(site.handle(test::post("/csr", "x", {}, "application/pkcs10")).status, 401);
  EXPECT_EQ(probe.reached, 0);

  // A binary body of its one media type reaches the handler, without CSRF; another type does not.
  EXPECT_EQ(site.handle(test::post("/ocsp", "x", {}, "application/x-www-form-urlencoded")).status,
            415);
  EXPECT_EQ(probe.reached, 0);
  EXPECT_EQ(site.handle(test::post("/ocsp", "x", {}, "Application/OCSP-Request")).status, 200);
  Request with_chain = test::post("/csr", "x", {}, "application/pkcs10");
  with_chain.peer_certificates.push_back("DER");
  EXPECT_EQ(site.handle(with_chain).status, 200);
  EXPECT_EQ(probe.reached, 2);
}

}  // namespace
}  // namespace onshi::web
