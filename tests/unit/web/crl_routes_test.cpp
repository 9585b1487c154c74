// /pki/crl/: the CRLs as a relying party fetches them, DER with the caching headers of a document
// valid until nextUpdate, conditional GET, and 404 before there is one. Also the HTTP dates.
#include <gtest/gtest.h>

#include "app/ca/crl_publisher.hpp"
#include "issued_certificates_env.hpp"
#include "pki/crl.hpp"
#include "pki/issuing_ca.hpp"
#include "web/http_cache.hpp"

namespace onshi::web {
namespace {

using namespace std::chrono;
using test::get;

std::string header(const Response& r, const std::string& name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return {};
}

Request with(Request r, const std::string& name, const std::string& value) {
  r.headers[name] = value;
  return r;
}

TEST(HttpDate, ImfFixdateBothWays) {
  const auto t = sys_days{1994y / November / 6d} + hours(8) + minutes(49) + seconds(37);
  EXPECT_EQ(http_date(t), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(http_date(sys_days{2026y / February / 28d}), "Sat, 28 Feb 2026 00:00:00 GMT");
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), t);
  EXPECT_EQ(parse_http_date(" Sat, 28 Feb 2026 00:00:00 GMT "), sys_days{2026y / February / 28d});
  for (const char* bad : {"", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
                          "Sun, 31 Feb 2026 00:00:00 GMT", "Sun, 06 Nov 1994 25:49:37 GMT",
                          "Sun, 06 Xyz 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 UTC"}) {
    EXPECT_FALSE(parse_http_date(bad)) << bad;
  }
}

TEST(HttpCache, ConditionalGetByEntityTagFirstThenDate) {
  const auto modified = sys_days{2026y / May / 1d} + hours(9);
  const Cacheable c{"\"12\"", modified, modified + hours(24)};
  const Request plain = get("/x");
  EXPECT_FALSE(not_modified(plain, c));
  EXPECT_TRUE(not_modified(with(plain, "if-none-match", "\"12\""), c));
  EXPECT_TRUE(not_modified(with(plain, "if-none-match", "\"3\", W/\"12\""), c)) << "weak, a list";
  EXPECT_TRUE(not_modified(with(plain, "if-none-match", "*"), c));
  EXPECT_FALSE(not_modified(with(plain, "if-none-match", "\"11\""), c));
  EXPECT_TRUE(not_modified(with(plain, "if-modified-since", http_date(modified)), c));
  EXPECT_FALSE(not_modified(with(plain, "if-modified-since", http_date(modified - seconds(1))), c));
  // RFC 9110 13.1.3: If-Modified-Since is ignored when If-None-Match is sent.
  EXPECT_FALSE(not_modified(
      with(with(plain, "if-none-match", "\"11\""), "if-modified-since", http_date(modified)), c));

  Response r;
  add_cache_headers(r, c, modified + hours(1));
  EXPECT_EQ(header(r, "ETag"), "\"12\"");
  EXPECT_EQ(header(r, "Last-Modified"), "Fri, 01 May 2026 09:00:00 GMT");
  EXPECT_EQ(header(r, "Expires"), "Sat, 02 May 2026 09:00:00 GMT");
  EXPECT_EQ(header(r, "Cache-Control"), "public, max-age=82800");
  Response late;
  add_cache_headers(late, c, modified + hours(30));
  EXPECT_EQ(header(late, "Cache-Control"), "public, max-age=0") << "never past nextUpdate";
}

class CrlRoutes : public test::IssuingSiteTest {
 protected:
  Response fetch(const Request& r) { return a.s.handle(r); }
  app::Services& services() { return a.s.env.services; }
};

TEST_F(CrlRoutes, NoneBeforeTheFirstPublication) {
  for (const char* path : {"/pki/crl/issuing.crl", "/pki/crl/issuing-delta.crl",
                           "/pki/crl/root.crl", "/pki/crl/other.crl"}) {
    const auto r = fetch(get(path));
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(header(r, "Content-Type"), "text/plain; charset=utf-8") << path;
  }
}

TEST_F(CrlRoutes, TheLatestCrlWithItsCachingHeaders) {
  ASSERT_EQ(app::publish_crls(services()), 2);
  const auto now = a.s.env.clock.now();
  a.s.env.clock.advance(hours(2));
  const auto r = fetch(get("/pki/crl/issuing.crl"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(header(r, "Content-Type"), "application/pkix-crl");
  const auto summary = pki::summarize_crl(r.body);
  EXPECT_EQ(summary.number, 1);
  EXPECT_EQ(header(r, "ETag"), "\"1\"");
  EXPECT_EQ(header(r, "Last-Modified"), http_date(floor<seconds>(now)));
  EXPECT_EQ(header(r, "Expires"), http_date(summary.next_update));
  EXPECT_EQ(header(r, "Cache-Control"), "public, max-age=79200") << "22 hours left";

  const auto delta = fetch(get("/pki/crl/issuing-delta.crl"));
  ASSERT_EQ(delta.status, 200);
  EXPECT_EQ(pki::summarize_crl(delta.body).delta_base, std::optional<std::int64_t>(1));
  EXPECT_EQ(header(delta, "ETag"), "\"2\"");
  const auto serial = a.ca->issuing().generations().front().serial_hex;
  EXPECT_EQ(fetch(get("/pki/crl/issuing-" + serial + ".crl")).body, r.body);
}

TEST_F(CrlRoutes, NotModifiedWhenTheClientHasIt) {
  ASSERT_EQ(app::publish_crls(services()), 2);
  const auto first = fetch(get("/pki/crl/issuing.crl"));
  const auto again =
      fetch(with(get("/pki/crl/issuing.crl"), "if-none-match", header(first, "ETag")));
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(header(again, "ETag"), header(first, "ETag"));
  EXPECT_FALSE(header(again, "Cache-Control").empty());
  EXPECT_EQ(
      fetch(with(get("/pki/crl/issuing.crl"), "if-modified-since", header(first, "Last-Modified")))
          .status,
      304);
  // A newer CRL is a new entity.
  a.s.env.clock.advance(hours(12));
  ASSERT_EQ(app::publish_crls(services()), 2);
  const auto newer =
      fetch(with(get("/pki/crl/issuing.crl"), "if-none-match", header(first, "ETag")));
  EXPECT_EQ(newer.status, 200);
  EXPECT_EQ(header(newer, "ETag"), "\"3\"");
  EXPECT_EQ(pki::summarize_crl(newer.body).number, 3) << "the bytes of the number it names";
}

TEST_F(CrlRoutes, HeadAnswersTheHeadersOnly) {
  ASSERT_EQ(app::publish_crls(services()), 2);
  Request head = get("/pki/crl/issuing.crl");
  head.method = "HEAD";
  const auto r = fetch(head);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(header(r, "ETag"), "\"1\"");
}

TEST_F(CrlRoutes, TheRootArlFromTheCaFolder) {
  auto& c = a.s.env.config;
  ASSERT_TRUE(pki::sign_root_crl(app::key_store_config(c), {}, a.s.env.clock.now()));
  const auto r = fetch(get("/pki/crl/root.crl"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(header(r, "Content-Type"), "application/pkix-crl");
  EXPECT_EQ(pki::summarize_crl(r.body).issuer, "CN=onshi Root CA G1,O=onshi,C=JP");
  EXPECT_EQ(header(r, "ETag"), "\"1\"");
}

}  // namespace
}  // namespace onshi::web
