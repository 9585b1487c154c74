// Which requests the server hands to its password pool (Site::is_password_work) and what one gets
// when that pool is full (Site::password_busy). The pool itself: tests/unit/util/
// bounded_workers_test.cpp; over HTTP: tests/integration/password_pool.test.mjs.
#include <gtest/gtest.h>

#include "site_test_env.hpp"

namespace onshi::web {
namespace {

using test::get;
using test::header;
using test::post;

TEST(PasswordRoutes, EveryHandlerThatHashesOrVerifiesAPasswordIsPasswordWork) {
  test::SiteEnv s;
  for (const auto* path :
       {"/login", "/register", "/password/change", "/password/reset", "/admin/login"}) {
    EXPECT_TRUE(s.site->is_password_work(post(path, ""))) << path;
  }
}

TEST(PasswordRoutes, OtherRequestsStayOnTheServersThreads) {
  test::SiteEnv s;
  for (const auto* path : {"/login", "/register", "/password/change", "/password/reset",
                           "/admin/login", "/mypage", "/healthz"}) {
    EXPECT_FALSE(s.site->is_password_work(get(path))) << "GET " << path;
  }
  for (const auto* path : {"/logout", "/admin/logout", "/password/forgot", "/verify", "/pki/ocsp",
                           "/login/x", "/nowhere"}) {
    EXPECT_FALSE(s.site->is_password_work(post(path, ""))) << "POST " << path;
  }
}

// The route table's flag and the use cases agree: every route so marked is a POST (a GET that
// hashed would be a bug elsewhere), and they are exactly the five above.
TEST(PasswordRoutes, OnlyPostRoutesAreMarked) {
  test::SiteEnv s;
  int marked = 0;
  for (const auto& route : s.site->routes()) {
    if (!route.password_work) continue;
    ++marked;
    EXPECT_EQ(route.method, "POST") << route.path;
  }
  EXPECT_EQ(marked, 5);
}

TEST(PasswordRoutes, AFullPoolIsThe503PageWithRetryAfterAndNothingDone) {
  test::SiteEnv s;
  const auto r = s.site->password_busy(post("/login", "email=a%40b.jp&password=x"));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(header(r, "Retry-After"), "2");
  EXPECT_EQ(header(r, "Cache-Control"), "no-store");
  EXPECT_EQ(header(r, "Content-Type"), "text/html; charset=utf-8");
  EXPECT_FALSE(header(r, "Content-Security-Policy").empty());
  EXPECT_NE(r.body.find(s.env.messages.get("password_busy.title")), std::string::npos);
  EXPECT_NE(r.body.find(s.env.messages.get("password_busy.sent")), std::string::npos);
  EXPECT_NE(r.body.find("ただいま混み合っています"), std::string::npos);
  EXPECT_EQ(test::set_cookie_line(r, "onshi_session"), "");
  // Counted like any answer, under its route.
  EXPECT_NE(s.metrics.render(0).find(R"(route="/login",method="POST",status="503")"),
            std::string::npos);
}

}  // namespace
}  // namespace onshi::web
