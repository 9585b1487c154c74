#include "web/metrics.hpp"

#include <fmt/format.h>

namespace onshi::web {

void Metrics::observe(const std::string& route, const std::string& method, int status,
                      double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{route, method, status}];
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++bucket_counts_[i];
  }
  ++count_;
  sum_ += seconds;
}

std::string Metrics::render(long long outbox_pending, long long crls_published) const {
  std::lock_guard lock(mutex_);
  std::string out;
  out += "# HELP onshi_http_requests_total HTTP requests by route, method and status.\n";
  out += "# TYPE onshi_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    const auto& [route, method, status] = key;
    out += fmt::format("onshi_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n",
                       route, method, status, n);
  }
  out += "# HELP onshi_http_request_duration_seconds Time from request to response.\n";
  out += "# TYPE onshi_http_request_duration_seconds histogram\n";
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    out += fmt::format("onshi_http_request_duration_seconds_bucket{{le=\"{}\"}} {}\n", kBuckets[i],
                       bucket_counts_[i]);
  }
  out += fmt::format("onshi_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", count_);
  out += fmt::format("onshi_http_request_duration_seconds_sum {}\n", sum_);
  out += fmt::format("onshi_http_request_duration_seconds_count {}\n", count_);
  out +=
      "# HELP onshi_outbox_pending Mails written to the outbox and not yet accepted by the SMTP "
      "server.\n";
  out += "# TYPE onshi_outbox_pending gauge\n";
  out += fmt::format("onshi_outbox_pending {}\n", outbox_pending);
  out +=
      "# HELP onshi_crls_published_total CRLs (full and delta) this process signed and stored.\n";
  out += "# TYPE onshi_crls_published_total counter\n";
  out += fmt::format("onshi_crls_published_total {}\n", crls_published);
  return out;
}

}  // namespace onshi::web
