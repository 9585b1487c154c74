#pragma once
// Prometheus counters for /metrics: requests by route, method and status, and a latency histogram.
#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace onshi::web {

class Metrics {
 public:
  void observe(const std::string& route, const std::string& method, int status, double seconds);
  // The exposition text; `outbox_pending` is read by the caller from the database,
  // `crls_published` is the count of app::crls_published_total().
  std::string render(long long outbox_pending, long long crls_published = 0) const;

 private:
  static constexpr std::array<double, 10> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1,
                                                      0.25,  0.5,  1,     2.5,  5};
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, unsigned long long> requests_;
  std::array<unsigned long long, kBuckets.size()> bucket_counts_{};
  unsigned long long count_ = 0;
  double sum_ = 0;
};

}  // namespace onshi::web
