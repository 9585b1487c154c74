#pragma once
// Prometheus counters for /metrics: requests by route, method and status, and a latency histogram.
#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace onshi::web {

// What /pki/ocsp answered (app::OcspOutcome, and internalError when answering failed).
enum class OcspCount {
  good,
  revoked,
  unknown,
  several,
  malformed,
  unauthorized,
  try_later,
  internal_error,
};

class Metrics {
 public:
  // Lock-free: the responder counts every answer at tens of thousands a second.
  void count_ocsp(OcspCount what) {
    ocsp_[static_cast<std::size_t>(what)].fetch_add(1, std::memory_order_relaxed);
  }
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
  std::array<std::atomic<unsigned long long>, 8> ocsp_{};
};

}  // namespace onshi::web
