// Who may call what without a page: the API's bearer scheme as RFC 9110 spells it, and /metrics
// only for the configured addresses or token.
#include <gtest/gtest.h>

#include "app/accounts/accounts.hpp"
#include "app/accounts/api_tokens.hpp"
#include "site_test_env.hpp"

namespace onshi::web {
namespace {

using test::get;
using test::SiteEnv;

TEST(BearerToken, SchemeIsCaseInsensitiveAndSpacesAreAllowed) {
  EXPECT_EQ(bearer_token("Bearer abc"), "abc");
  EXPECT_EQ(bearer_token("bearer abc"), "abc");
  EXPECT_EQ(bearer_token("BEARER   abc "), "abc");
  EXPECT_FALSE(bearer_token("Basic YTpi").has_value());
  EXPECT_FALSE(bearer_token("Bearer").has_value());
  EXPECT_FALSE(bearer_token("Bearer ").has_value());
  EXPECT_FALSE(bearer_token("Bearerabc").has_value());
}

TEST(ApiAuthentication, ALowerCaseSchemeIsAccepted) {
  SiteEnv s;
  ASSERT_TRUE(
      app::create_verified_account(s.env.services, {"vendor@clinic.example.jp", "1310123455",
                                                    "テストクリニック", "correct horse battery"})
          .has_value());
  const auto token = app::create_api_token(s.env.services, "vendor@clinic.example.jp", "ベンダ");
  ASSERT_TRUE(token.has_value());
  for (const std::string scheme : {"Bearer ", "bearer ", "BEARER  "}) {
    auto r = get("/api/v1/institution");
    r.headers["authorization"] = scheme + token->token;
    EXPECT_EQ(s.handle(r).status, 200) << scheme;
  }
  auto basic = get("/api/v1/institution");
  basic.headers["authorization"] = "Basic " + token->token;
  EXPECT_EQ(s.handle(basic).status, 401);
}

Request metrics_from(std::string remote) {
  auto r = get("/metrics");
  r.remote = std::move(remote);
  return r;
}

TEST(Metrics, OnlyLoopbackByDefault) {
  SiteEnv s;
  EXPECT_EQ(s.handle(metrics_from("127.0.0.1")).status, 200);
  EXPECT_EQ(s.handle(metrics_from("::1")).status, 200);
  EXPECT_EQ(s.handle(metrics_from("::ffff:127.0.0.1")).status, 200);
  EXPECT_EQ(s.handle(metrics_from("192.0.2.7")).status, 403);
  EXPECT_EQ(s.handle(metrics_from("127.0.0.2")).status, 403);
  // A proxy on the same machine connects from loopback for everyone behind it.
  auto proxied = metrics_from("127.0.0.1");
  proxied.headers["x-forwarded-for"] = "192.0.2.7";
  EXPECT_EQ(s.handle(proxied).status, 403);
  for (const auto* header : {"forwarded", "x-real-ip", "via"}) {
    auto through = metrics_from("127.0.0.1");
    through.headers[header] = "192.0.2.7";
    EXPECT_EQ(s.handle(through).status, 403) << header;
  }
}

TEST(Metrics, AnEmptyListLeavesOnlyTheToken) {
  SiteEnv s([](app::Config& c) {
    c.metrics_allow = {};
    c.metrics_token = "scrape-secret";
  });
  EXPECT_EQ(s.handle(metrics_from("127.0.0.1")).status, 403);
  auto with_token = metrics_from("127.0.0.1");
  with_token.headers["authorization"] = "Bearer scrape-secret";
  EXPECT_EQ(s.handle(with_token).status, 200);
}

TEST(Metrics, ConfiguredAddressesAndTheToken) {
  SiteEnv s([](app::Config& c) {
    c.metrics_allow = {"192.0.2.7"};
    c.metrics_token = "scrape-secret";
  });
  EXPECT_EQ(s.handle(metrics_from("192.0.2.7")).status, 200);
  EXPECT_EQ(s.handle(metrics_from("127.0.0.1")).status, 403) << "the list replaces the default";
  auto with_token = metrics_from("198.51.100.9");
  with_token.headers["authorization"] = "Bearer scrape-secret";
  const auto r = s.handle(with_token);
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("onshi_outbox_pending"), std::string::npos);
  with_token.headers["authorization"] = "Bearer scrape-secreT";
  EXPECT_EQ(s.handle(with_token).status, 403);
}

}  // namespace
}  // namespace onshi::web
