// /pki/ocsp before any CA (no socket): what reaches the responder and what the web layer refuses
// itself. A refusal the client can read is an OCSP response, never a page; /metrics counts them.
// The answers with a CA are tests/unit/app/ocsp_responder_test.cpp and
// tests/integration/ocsp.test.mjs.
#include <gtest/gtest.h>

#include "site_test_env.hpp"

namespace onshi::web {
namespace {

using test::SiteEnv;

const std::string kMalformed("\x30\x03\x0a\x01\x01", 5);
const std::string kUnauthorized("\x30\x03\x0a\x01\x06", 5);

// OCSPRequest for one SHA-1 CertID of an issuer nobody here knows, serial 0x01.
std::string some_request() {
  const std::string sha1("\x30\x09\x06\x05\x2b\x0e\x03\x02\x1a\x05\x00", 11);
  std::string cert_id = sha1;
  cert_id.append("\x04\x14").append(20, 'n').append("\x04\x14").append(20, 'k');
  cert_id.append("\x02\x01\x01");
  std::string id("\x30");
  id.push_back(static_cast<char>(cert_id.size()));
  id.append(cert_id);
  std::string out = id;
  for (int level = 0; level < 4; ++level) {
    std::string wrapped("\x30");
    wrapped.push_back(static_cast<char>(out.size()));
    out = wrapped.append(out);
  }
  return out;
}

Request ocsp_post(std::string body, std::string type = "application/ocsp-request") {
  return test::post("/pki/ocsp", std::move(body), {}, std::move(type));
}

TEST(OcspRoutes, GarbageTruncatedAndOversizedAreMalformedRequest) {
  SiteEnv env;
  const std::string good = some_request();
  for (const std::string& body : {std::string("garbage"), good.substr(0, good.size() - 3),
                                  std::string(), std::string(good).append(64 * 1024, 'x')}) {
    const auto r = env.handle(ocsp_post(body));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, kMalformed) << body.size();
    EXPECT_EQ(test::header(r, "Content-Type"), "application/ocsp-response");
    EXPECT_EQ(test::header(r, "Cache-Control"), "no-store");
  }
  const auto metrics = env.handle(test::get("/metrics")).body;
  EXPECT_NE(metrics.find("onshi_ocsp_responses_total{outcome=\"malformed\"} 4"), std::string::npos)
      << metrics;
}

TEST(OcspRoutes, WithoutACaEveryRightRequestIsUnauthorizedByPostAndGet) {
  SiteEnv env;
  EXPECT_EQ(env.handle(ocsp_post(some_request())).body, kUnauthorized);
  // The same request as base64: '+' and '/' as they are, '=' escaped.
  const auto get = env.handle(test::get(
      "/pki/ocsp/"
      "MEIwQDA+MDwwOjAJBgUrDgMCGgUABBRubm5ubm5ubm5ubm5ubm5ubm5ubgQUa2tra2tra2tra2tra2tra2tra2sCAQE%"
      "3D"));
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.body, kUnauthorized);
  EXPECT_EQ(test::header(get, "Cache-Control"), "no-store");
}

TEST(OcspRoutes, BrokenBase64OrEscapesInAGetAreMalformed) {
  SiteEnv env;
  for (const char* path : {"/pki/ocsp/", "/pki/ocsp/%%41", "/pki/ocsp/not*base64", "/pki/ocsp/MIIB",
                           "/pki/ocsp/MII%zz"}) {
    const auto r = env.handle(test::get(path));
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body, kMalformed) << path;
  }
}

TEST(OcspRoutes, OtherMediaTypesAndMethodsAreRefusedByTheServer) {
  SiteEnv env;
  EXPECT_EQ(env.handle(ocsp_post(some_request(), "application/octet-stream")).status, 415);
  Request put = ocsp_post(some_request());
  put.method = "PUT";
  EXPECT_EQ(env.handle(put).status, 405);
}

}  // namespace
}  // namespace onshi::web
