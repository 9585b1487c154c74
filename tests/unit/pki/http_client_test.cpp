// The HTTP client over a real loopback socket: a body passed through, the bounds that keep a
// hostile server from filling memory or holding a thread, and failures named for the logs.
#include "pki/http_client.hpp"

#include <gtest/gtest.h>

#include "http_test_server.hpp"

namespace onshi::pki {
namespace {

using namespace std::chrono_literals;

HttpRequest get(const std::string& url) {
  HttpRequest r;
  r.url = url;
  return r;
}

TEST(HttpClient, PostsAndReadsTheAnswer) {
  test::HttpTestServer server;
  std::string seen_body, seen_headers;
  server.handle([&](const test::HttpExchange& ex) {
    seen_body = ex.body;
    seen_headers = ex.headers;
    return test::HttpAnswer{200, "application/ocsp-response", "answer", "ETag: \"v7\"\r\n", 0};
  });
  HttpRequest post = get(server.url("/ocsp"));
  post.method = "POST";
  post.content_type = "application/ocsp-request";
  post.body = std::string("\x30\x00", 2);
  post.headers = {"Accept: application/ocsp-response"};
  const auto r = http_fetch(post);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "answer");
  EXPECT_EQ(r->content_type, "application/ocsp-response");
  EXPECT_EQ(r->etag, "\"v7\"");
  EXPECT_EQ(seen_body, std::string("\x30\x00", 2));
  EXPECT_NE(seen_headers.find("content-type: application/ocsp-request"), std::string::npos);
}

TEST(HttpClient, StopsAtTheSizeLimitAndTheTimeout) {
  test::HttpTestServer server;
  server.handle([](const test::HttpExchange& ex) {
    if (ex.path == "/slow") return test::HttpAnswer{200, "text/plain", "late", "", 1500};
    return test::HttpAnswer{200, "text/plain", std::string(100'000, 'x'), "", 0};
  });
  HttpRequest big_request = get(server.url("/big"));
  big_request.max_response_bytes = 1000;
  const auto big = http_fetch(big_request);
  ASSERT_FALSE(big.has_value());
  EXPECT_EQ(big.error().failure, HttpFailure::too_large) << big.error().detail;
  HttpRequest slow_request = get(server.url("/slow"));
  slow_request.timeout = 300ms;
  const auto slow = http_fetch(slow_request);
  ASSERT_FALSE(slow.has_value());
  EXPECT_EQ(slow.error().failure, HttpFailure::timeout) << slow.error().detail;
}

TEST(HttpClient, NamesARefusedConnectionAndABadUrl) {
  int port = 0;
  {
    test::HttpTestServer gone;
    port = gone.port();
  }
  const auto refused = http_fetch(get("http://127.0.0.1:" + std::to_string(port) + "/x"));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().failure, HttpFailure::connect) << refused.error().detail;
  EXPECT_EQ(http_failure_name(refused.error().failure), "connect");
  const auto file = http_fetch(get("file:///etc/passwd"));
  ASSERT_FALSE(file.has_value());
  EXPECT_EQ(file.error().failure, HttpFailure::bad_url);
}

}  // namespace
}  // namespace onshi::pki
