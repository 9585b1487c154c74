// Prometheus exposition of request counters, the latency histogram, the outbox gauge and the
// count of CRLs published.
#include <gtest/gtest.h>

#include <sstream>
#include <vector>

#include "web/metrics.hpp"

namespace onshi::web {
namespace {

// The value on the line that starts with `series` followed by a space, or -1 when absent.
double sample(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(series + " ")) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

std::string bucket(const std::string& le) {
  return "onshi_http_request_duration_seconds_bucket{le=\"" + le + "\"}";
}

TEST(Metrics, EmptyRenderHasZeroHistogramAndTheGauge) {
  const Metrics m;
  const auto text = m.render(0);
  EXPECT_NE(text.find("# TYPE onshi_http_requests_total counter"), std::string::npos);
  EXPECT_NE(text.find("# TYPE onshi_http_request_duration_seconds histogram"), std::string::npos);
  EXPECT_NE(text.find("# TYPE onshi_outbox_pending gauge"), std::string::npos);
  EXPECT_EQ(text.find("onshi_http_requests_total{"), std::string::npos);
  EXPECT_EQ(sample(text, bucket("+Inf")), 0);
  EXPECT_EQ(sample(text, "onshi_http_request_duration_seconds_count"), 0);
  EXPECT_EQ(sample(text, "onshi_outbox_pending"), 0);
  EXPECT_TRUE(text.ends_with("\n"));
}

TEST(Metrics, CountsRequestsByRouteMethodAndStatus) {
  Metrics m;
  m.observe("/", "GET", 200, 0.001);
  m.observe("/", "GET", 200, 0.001);
  m.observe("/", "HEAD", 200, 0.001);
  m.observe("/login", "POST", 401, 0.3);
  m.observe("unmatched", "GET", 404, 0.001);
  const auto text = m.render(7);
  EXPECT_EQ(sample(text, R"(onshi_http_requests_total{route="/",method="GET",status="200"})"), 2);
  EXPECT_EQ(sample(text, R"(onshi_http_requests_total{route="/",method="HEAD",status="200"})"), 1);
  EXPECT_EQ(sample(text, R"(onshi_http_requests_total{route="/login",method="POST",status="401"})"),
            1);
  EXPECT_EQ(
      sample(text, R"(onshi_http_requests_total{route="unmatched",method="GET",status="404"})"), 1);
  EXPECT_EQ(sample(text, "onshi_outbox_pending"), 7);
}

TEST(Metrics, CountsTheCrlsThisProcessPublished) {
  const Metrics m;
  EXPECT_EQ(sample(m.render(0), "onshi_crls_published_total"), 0);
  const auto text = m.render(0, 6);
  EXPECT_NE(text.find("# TYPE onshi_crls_published_total counter"), std::string::npos);
  EXPECT_EQ(sample(text, "onshi_crls_published_total"), 6);
}

TEST(Metrics, HistogramBucketsAreCumulativeAndInfEqualsCount) {
  Metrics m;
  m.observe("/", "GET", 200, 0.005);  // on a boundary: belongs to le="0.005"
  m.observe("/", "GET", 200, 0.0051);
  m.observe("/", "GET", 200, 0.2);
  m.observe("/", "GET", 200, 1.0);
  m.observe("/", "GET", 200, 30.0);  // above every finite bucket
  const auto text = m.render(0);
  EXPECT_EQ(sample(text, bucket("0.005")), 1);
  EXPECT_EQ(sample(text, bucket("0.01")), 2);
  EXPECT_EQ(sample(text, bucket("0.1")), 2);
  EXPECT_EQ(sample(text, bucket("0.25")), 3);
  EXPECT_EQ(sample(text, bucket("1")), 4);
  EXPECT_EQ(sample(text, bucket("5")), 4);
  EXPECT_EQ(sample(text, bucket("+Inf")), 5);
  EXPECT_EQ(sample(text, "onshi_http_request_duration_seconds_count"), 5);
  EXPECT_NEAR(sample(text, "onshi_http_request_duration_seconds_sum"), 31.2101, 1e-9);

  // Every bucket line, in order, never decreases.
  std::vector<double> values;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("onshi_http_request_duration_seconds_bucket"))
      values.push_back(std::stod(line.substr(line.rfind(' ') + 1)));
  }
  ASSERT_EQ(values.size(), 11u);  // 10 finite buckets and +Inf
  for (std::size_t i = 1; i < values.size(); ++i) EXPECT_LE(values[i - 1], values[i]) << i;
}

}  // namespace
}  // namespace onshi::web
