// EST's routes before any certificate is involved: TLS only, Basic auth read strictly, base64 DER
// bodies only, every refusal one line of text/plain. Success paths need a CA and a TLS listener:
// tests/integration/est.test.mjs drives them with curl and openssl.
#include <gtest/gtest.h>

#include "site_test_env.hpp"
#include "util/base64.hpp"
#include "web/context.hpp"

namespace onshi::web {
namespace {

using test::SiteEnv;

Request over_tls(Request r) {
  r.tls = true;
  return r;
}

Request est_post(const std::string& op, std::string body, const std::string& authorization = {}) {
  Request r =
      over_tls(test::post("/.well-known/est/" + op, std::move(body), {}, "application/pkcs10"));
  if (!authorization.empty()) r.headers["authorization"] = authorization;
  return r;
}

std::string basic(std::string_view user_password) {
  return "Basic " + util::base64_encode(user_password);
}

void expect_text(const Response& r, int status, const std::string& message) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(test::header(r, "Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r.body, message + "\n");
}

TEST(EstRoutes, EveryEstRouteIsTlsOnlyAndDeclaresItsAuthentication) {
  SiteEnv env;
  int seen = 0;
  for (const auto& r : env.site->routes()) {
    if (!is_est_path(r.path)) continue;
    ++seen;
    EXPECT_TRUE(r.tls_only) << r.path;
    if (r.method == "POST") {
      EXPECT_EQ(r.body, Body::binary) << r.path;
      EXPECT_EQ(r.content_type, "application/pkcs10") << r.path;
      EXPECT_EQ(r.access,
                r.path.ends_with("/simplereenroll") ? Access::tls_client : Access::pickup_code)
          << r.path;
    } else {
      EXPECT_EQ(r.access, Access::anyone) << r.path;
    }
  }
  EXPECT_EQ(seen, 5);
}

TEST(EstRoutes, ThePlainListenerIsToldToUseHttpsBeforeAnythingIsRead) {
  SiteEnv env;
  const auto& m = env.env.messages;
  expect_text(env.handle(test::get("/.well-known/est/cacerts")), 403, m.get("est.https_only"));
  Request enroll = est_post("simpleenroll", "AAAA", basic("C-00000001-01:ABCD-EFGH-JKLM-NPQR"));
  enroll.tls = false;
  expect_text(env.handle(enroll), 403, m.get("est.https_only"));
  Request reenroll = est_post("simplereenroll", "AAAA");
  reenroll.tls = false;
  reenroll.peer_certificates.push_back("DER");
  expect_text(env.handle(reenroll), 403, m.get("est.https_only"));
}

TEST(EstRoutes, MalformedBasicAuthGets401WithTheChallenge) {
  SiteEnv env;
  const auto& m = env.env.messages;
  for (const std::string& auth :
       {std::string(), std::string("Bearer abc"), std::string("Basic"), std::string("Basic !!!!"),
        basic("no-colon"), basic(":ABCD-EFGH-JKLM-NPQR"), basic("C-00000001-01:"),
        basic("C-00000001-01\xff:x")}) {
    for (const char* op : {"simpleenroll", "serverkeygen"}) {
      const Response r = env.handle(est_post(op, "AAAA", auth));
      expect_text(r, 401, m.get("est.basic_auth"));
      EXPECT_EQ(test::header(r, "WWW-Authenticate"), R"(Basic realm="onshi EST", charset="UTF-8")")
          << auth;
    }
  }
}

TEST(EstRoutes, BodiesAreBase64DerOfTheOneMediaType) {
  SiteEnv env;
  const auto& m = env.env.messages;
  const auto auth = basic("C-00000001-01:ABCD-EFGH-JKLM-NPQR");
  expect_text(env.handle(est_post("simpleenroll",
                                  "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n"
                                  "-----END CERTIFICATE REQUEST-----\n",
                                  auth)),
              400, m.get("est.pem_not_accepted"));
  expect_text(env.handle(est_post("simpleenroll", "not base64 at all", auth)), 400,
              m.get("est.not_base64"));
  expect_text(env.handle(est_post("simpleenroll", "", auth)), 400, m.get("est.not_base64"));
  Request wrong_type = est_post("simpleenroll", "AAAA", auth);
  wrong_type.headers["content-type"] = "application/x-www-form-urlencoded";
  expect_text(env.handle(wrong_type), 415, m.get("http.415"));
  // Over the limit: refused before the body is looked at, in text too.
  expect_text(env.handle(est_post("simpleenroll", std::string(2 * 1024 * 1024, 'A'), auth)), 413,
              m.get("http.413"));
}

TEST(EstRoutes, WithoutACaOrAClientCertificateTheAnswersSaySo) {
  SiteEnv env;  // no CA in this process
  const auto& m = env.env.messages;
  expect_text(env.handle(over_tls(test::get("/.well-known/est/cacerts"))), 503,
              m.get("pickup.unavailable"));
  expect_text(env.handle(over_tls(test::get("/.well-known/est/csrattrs"))), 503,
              m.get("pickup.unavailable"));
  // A base64 request that is no CSR: the pair is checked first (no CA: unavailable).
  expect_text(
      env.handle(est_post("simpleenroll", "AAAA", basic("C-00000001-01:ABCD-EFGH-JKLM-NPQR"))), 503,
      m.get("pickup.unavailable"));
  const Response none = env.handle(est_post("simplereenroll", "AAAA"));
  expect_text(none, 401, m.get("http.401"));
  expect_text(env.handle(over_tls(test::get("/.well-known/est/nothing"))), 404, m.get("http.404"));
  const Response method = env.handle(over_tls(test::get("/.well-known/est/simpleenroll")));
  expect_text(method, 405, m.get("http.405"));
  EXPECT_EQ(test::header(method, "Allow"), "POST");
}

TEST(BasicCredentials, SplitAtTheFirstColonAnyCaseOfTheScheme) {
  const auto c =
      basic_credentials("bAsIc " + util::base64_encode("ｃ－００００００１２－０３:ab:cd"));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->user, "ｃ－００００００１２－０３");
  EXPECT_EQ(c->password, "ab:cd");
  EXPECT_FALSE(basic_credentials("Basic " + util::base64_encode("user")));
  EXPECT_FALSE(basic_credentials("Digest " + util::base64_encode("a:b")));
  EXPECT_FALSE(basic_credentials(""));
}

}  // namespace
}  // namespace onshi::web
