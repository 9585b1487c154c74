#include "web/relying_party/rp_metrics.hpp"

#include <fmt/format.h>

namespace onshi::web::relying_party {
namespace {

constexpr std::array<std::string_view, kHandshakeResults> kHandshakeNames = {
    "ok", "unverified", "no_certificate", "failed"};
constexpr std::array<std::string_view, kRequestResults> kRequestNames = {"ok",
                                                                         "no_certificate",
                                                                         "unreadable",
                                                                         "unknown_ca",
                                                                         "expired",
                                                                         "not_yet_valid",
                                                                         "wrong_purpose",
                                                                         "not_a_terminal",
                                                                         "revoked_ca",
                                                                         "invalid_certificate",
                                                                         "revoked",
                                                                         "unknown",
                                                                         "unavailable",
                                                                         "bad_request",
                                                                         "not_found",
                                                                         "method_not_allowed",
                                                                         "internal_error"};
constexpr std::array<std::string_view, 3> kSources = {"ocsp", "crl", "none"};
constexpr std::array<pki::RevocationState, 4> kStates = {
    pki::RevocationState::good, pki::RevocationState::revoked, pki::RevocationState::unknown,
    pki::RevocationState::unavailable};
constexpr std::array<std::string_view, 4> kStateNames = {"good", "revoked", "unknown",
                                                         "unavailable"};

std::size_t source_index(std::string_view source) {
  if (source == "ocsp") return 0;
  if (source == "crl") return 1;
  return 2;
}

std::uint64_t load(const std::atomic<std::uint64_t>& n) {
  return n.load(std::memory_order_relaxed);
}

void counter(std::string& out, std::string_view name, std::string_view help, std::uint64_t n) {
  out.append(fmt::format("# HELP {} {}\n# TYPE {} counter\n{} {}\n", name, help, name, name, n));
}

}  // namespace

std::string_view handshake_result_name(HandshakeResult r) {
  return kHandshakeNames[static_cast<std::size_t>(r)];
}

std::string_view request_result_name(RequestResult r) {
  return kRequestNames[static_cast<std::size_t>(r)];
}

void Metrics::Histogram::observe(double seconds) {
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) buckets[i].fetch_add(1, std::memory_order_relaxed);
  }
  count.fetch_add(1, std::memory_order_relaxed);
  sum_us.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void Metrics::Histogram::render(std::string& out, std::string_view name,
                                std::string_view help) const {
  out.append(fmt::format("# HELP {} {}\n# TYPE {} histogram\n", name, help, name));
  for (std::size_t i = 0; i < kBuckets.size(); ++i)
    out.append(fmt::format("{}_bucket{{le=\"{}\"}} {}\n", name, kBuckets[i], load(buckets[i])));
  out.append(fmt::format("{}_bucket{{le=\"+Inf\"}} {}\n", name, load(count)));
  out.append(fmt::format("{}_sum {}\n", name, static_cast<double>(load(sum_us)) / 1e6));
  out.append(fmt::format("{}_count {}\n", name, load(count)));
}

void Metrics::count_handshake(HandshakeResult r, double seconds) {
  handshakes_[static_cast<std::size_t>(r)].fetch_add(1, std::memory_order_relaxed);
  handshake_seconds_.observe(seconds);
}

void Metrics::count_request(RequestResult r, double seconds) {
  requests_[static_cast<std::size_t>(r)].fetch_add(1, std::memory_order_relaxed);
  request_seconds_.observe(seconds);
}

void Metrics::count_status(std::string_view source, pki::RevocationState state) {
  for (std::size_t i = 0; i < kStates.size(); ++i) {
    if (kStates[i] == state)
      status_[source_index(source)][i].fetch_add(1, std::memory_order_relaxed);
  }
}

std::string Metrics::render(const pki::StatusChecker::Counters& checker) const {
  std::string out;
  out.append(
      "# HELP onshi_rp_tls_handshakes_total TLS handshakes by result: ok (a client certificate "
      "that verified against the trusted root), unverified, no_certificate, failed.\n"
      "# TYPE onshi_rp_tls_handshakes_total counter\n");
  for (std::size_t i = 0; i < kHandshakeResults; ++i)
    out.append(fmt::format("onshi_rp_tls_handshakes_total{{result=\"{}\"}} {}\n",
                           kHandshakeNames[i], load(handshakes_[i])));
  handshake_seconds_.render(out, "onshi_rp_tls_handshake_duration_seconds",
                            "From the accepted connection to the end of its handshake.");
  out.append(
      "# HELP onshi_rp_requests_total Requests over mutual TLS by result (the JSON answer's "
      "result).\n# TYPE onshi_rp_requests_total counter\n");
  for (std::size_t i = 0; i < kRequestResults; ++i)
    out.append(fmt::format("onshi_rp_requests_total{{result=\"{}\"}} {}\n", kRequestNames[i],
                           load(requests_[i])));
  request_seconds_.render(out, "onshi_rp_request_duration_seconds",
                          "From the request to its answer, the status check included.");
  out.append(
      "# HELP onshi_rp_status_checks_total Status checks of verified chains by the source of "
      "the answer and what it said, cached answers included.\n"
      "# TYPE onshi_rp_status_checks_total counter\n");
  for (std::size_t s = 0; s < kSources.size(); ++s) {
    for (std::size_t i = 0; i < kStates.size(); ++i)
      out.append(fmt::format("onshi_rp_status_checks_total{{source=\"{}\",state=\"{}\"}} {}\n",
                             kSources[s], kStateNames[i], load(status_[s][i])));
  }
  counter(out, "onshi_rp_status_cache_hits_total",
          "Status checks answered from the cache, without a fetch.", load(checker.cache_hits));
  counter(out, "onshi_rp_ocsp_queries_total", "OCSP requests sent to responders.",
          load(checker.ocsp_queries));
  counter(out, "onshi_rp_ocsp_failures_total",
          "OCSP requests that gave no usable answer (unreachable, bad signature, stale).",
          load(checker.ocsp_failures));
  counter(out, "onshi_rp_crl_checks_total", "Status checks made by CRL (fetched or cached CRLs).",
          load(checker.crl_checks));
  return out;
}

}  // namespace onshi::web::relying_party
