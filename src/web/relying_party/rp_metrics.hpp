#pragma once
// The relying party's /metrics: handshakes, requests and status checks by what they came to, and
// what the status checker fetched. Counters only, lock-free: every request counts.
#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "pki/certificate_status.hpp"

namespace onshi::web::relying_party {

// What a handshake came to: a client certificate that OpenSSL verified against --ca, one that it
// did not (another CA, expired: the request is refused with the reason), none, or no handshake.
enum class HandshakeResult { ok, unverified, no_certificate, failed };
inline constexpr std::size_t kHandshakeResults = 4;
std::string_view handshake_result_name(HandshakeResult r);

// What a request over mutual TLS came to; the names are the `result` of the JSON answers.
enum class RequestResult {
  ok,
  no_certificate,
  unreadable,
  unknown_ca,
  expired,
  not_yet_valid,
  wrong_purpose,
  not_a_terminal,
  revoked_ca,
  invalid_certificate,  // a chain OpenSSL refused for another reason
  revoked,
  unknown,      // the responder does not know the certificate
  unavailable,  // neither OCSP nor the CRLs gave a usable answer: refused, fail closed
  bad_request,
  not_found,
  method_not_allowed,
  internal_error,
};
inline constexpr std::size_t kRequestResults = 17;
std::string_view request_result_name(RequestResult r);

class Metrics {
 public:
  void count_handshake(HandshakeResult r, double seconds);
  void count_request(RequestResult r, double seconds);
  // A status check of a verified chain, fresh or from the cache.
  void count_status(std::string_view source, pki::RevocationState state);
  std::uint64_t requests(RequestResult r) const {
    return requests_[static_cast<std::size_t>(r)].load(std::memory_order_relaxed);
  }
  // The exposition text, with the status checker's own counters (fetches, failures, cache hits).
  std::string render(const pki::StatusChecker::Counters& checker) const;

 private:
  static constexpr std::array<double, 10> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                      0.025,  0.05,  0.1,    0.5,   2.5};
  struct Histogram {
    std::array<std::atomic<std::uint64_t>, kBuckets.size()> buckets{};
    std::atomic<std::uint64_t> count{0};
    std::atomic<std::uint64_t> sum_us{0};
    void observe(double seconds);
    void render(std::string& out, std::string_view name, std::string_view help) const;
  };
  std::array<std::atomic<std::uint64_t>, kHandshakeResults> handshakes_{};
  std::array<std::atomic<std::uint64_t>, kRequestResults> requests_{};
  // source (ocsp, crl, none) by state (good, revoked, unknown, unavailable).
  std::array<std::array<std::atomic<std::uint64_t>, 4>, 3> status_{};
  Histogram handshake_seconds_, request_seconds_;
};

}  // namespace onshi::web::relying_party
