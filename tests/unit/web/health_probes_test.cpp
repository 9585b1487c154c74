// /healthz (the database and the CA, for monitoring) and /readyz (the database only, for the
// balancer): what each says with and without a CA, as the CRLs age, and with the database out of
// reach.
#include <gtest/gtest.h>

#include "admin_test_env.hpp"
#include "app/ca/crl_publisher.hpp"
#include "database_outage.hpp"
#include "pki/issuing_ca.hpp"

namespace onshi::web {
namespace {

using namespace std::chrono;
using test::get;
using test::header;

void expect_probe(const Response& r, int status, const std::string& body) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.body, body);
  EXPECT_EQ(header(r, "Content-Type"), "application/json");
  EXPECT_EQ(header(r, "Cache-Control"), "no-store") << "a balancer must see the present";
}

TEST(HealthProbes, WithoutACaBothAnswerOkAndSayThereIsNone) {
  test::SiteEnv s;
  expect_probe(s.handle(get("/healthz")), 200, R"({"status":"ok","database":"ok","ca":"none"})");
  expect_probe(s.handle(get("/readyz")), 200, R"({"status":"ready"})");
}

TEST(HealthProbes, HeadAnswersTheStatusWithoutABody) {
  test::SiteEnv s;
  for (const char* path : {"/healthz", "/readyz"}) {
    Request r = get(path);
    r.method = "HEAD";
    const auto resp = s.handle(r);
    EXPECT_EQ(resp.status, 200) << path;
    EXPECT_TRUE(resp.body.empty()) << path;
  }
}

class HealthProbesWithCa : public ::testing::Test {
 protected:
  void SetUp() override { a.open_ca(); }
  Response healthz() { return a.s.handle(get("/healthz")); }
  Response readyz() { return a.s.handle(get("/readyz")); }
  app::Services& services() { return a.s.env.services; }
  test::AdminEnv a;
};

TEST_F(HealthProbesWithCa, OkOnceTheCurrentCrlsArePublished) {
  expect_probe(healthz(), 503, R"({"status":"unavailable","database":"ok","ca":"crl_missing"})");
  expect_probe(readyz(), 200, R"({"status":"ready"})");
  ASSERT_EQ(app::publish_crls(services()), 2);
  expect_probe(healthz(), 200, R"({"status":"ok","database":"ok","ca":"ok"})");
}

TEST_F(HealthProbesWithCa, ACrlPastItsNextUpdateIsAFailureButTheNodeStaysReady) {
  ASSERT_EQ(app::publish_crls(services()), 2);
  // pki.crl_next_update_hours: 24. The scheduler did not run meanwhile.
  a.s.env.clock.advance(hours(24) - seconds(1));
  EXPECT_EQ(healthz().status, 200);
  a.s.env.clock.advance(seconds(1));
  expect_probe(healthz(), 503, R"({"status":"unavailable","database":"ok","ca":"crl_expired"})");
  expect_probe(readyz(), 200, R"({"status":"ready"})");
  ASSERT_EQ(app::publish_crls(services()), 2);
  EXPECT_EQ(healthz().status, 200) << "fresh CRLs again";
}

TEST_F(HealthProbesWithCa, AnExpiredIssuingCertificateIsAFailure) {
  ASSERT_EQ(app::publish_crls(services()), 2);
  const auto not_after = services().ca->issuing().generations().front().not_after;
  a.s.env.clock.set(not_after);
  expect_probe(healthz(), 503,
               R"({"status":"unavailable","database":"ok","ca":"certificate_expired"})");
}

TEST_F(HealthProbesWithCa, TheDatabaseOutOfReachLeavesTheCrlsUnknown) {
  ASSERT_EQ(app::publish_crls(services()), 2);
  test::OutageEnv o(a.s.env);
  expect_probe(o.handle(get("/healthz")), 200, R"({"status":"ok","database":"ok","ca":"ok"})");
  o.db.down = true;
  expect_probe(o.handle(get("/healthz")), 503,
               R"({"status":"unavailable","database":"unreachable","ca":"unknown"})");
}

TEST(HealthProbesOutage, NotReadyWhileTheDatabaseIsOutOfReachAndReadyAgainAfter) {
  test::SiteEnv s;
  test::OutageEnv o(s.env);
  o.db.down = true;
  expect_probe(o.handle(get("/readyz")), 503, R"({"status":"not_ready","database":"unreachable"})");
  expect_probe(o.handle(get("/healthz")), 503,
               R"({"status":"unavailable","database":"unreachable","ca":"none"})");
  o.db.down = false;
  expect_probe(o.handle(get("/readyz")), 200, R"({"status":"ready"})");
  expect_probe(o.handle(get("/healthz")), 200, R"({"status":"ok","database":"ok","ca":"none"})");
}

}  // namespace
}  // namespace onshi::web
