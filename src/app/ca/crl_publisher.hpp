#pragma once
// CRLs (CPIPCS 7.2, RFC 5280 §5): the scheduler's job that publishes the full and delta CRLs of
// every issuing CA generation, and the published CRLs as /pki/crl/ serves them. Every node serves
// what the database holds, so all nodes answer with the same bytes.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "app/core/services.hpp"

namespace onshi::app {

// A delta CRL lists what was revoked since its base's thisUpdate minus this much, so that a
// revocation committed while the base was being read is never missed (listing one twice is
// harmless).
inline constexpr std::chrono::minutes kDeltaMargin{5};

// For each issuing CA generation that still has certificates to answer for (the current one
// always, an earlier one until a full CRL after its last certificate's notAfter), a new full CRL
// and a delta CRL when it has none yet, when pki.crl_interval_hours or half the latest full CRL's
// validity has passed, or when a certificate was revoked since the latest one. Each CRL's number
// is reserved in one transaction, signed outside any and then recorded (as issuance does), so
// two nodes running it at once publish at most twice and never reuse a number. Returns how many
// CRLs it published; 0 without a CA.
int publish_crls(const Services& s, std::chrono::system_clock::time_point now);
// The same at the clock's now, for Housekeeping.
int publish_crls(const Services& s);

// How often the scheduler looks (a quarter of pki.crl_revocation_delay_seconds, at least a
// second): a revocation reaches the CRLs within the delay.
std::chrono::milliseconds crl_job_period(const Config& config);

// CRLs published by this process since it started, for /metrics.
std::int64_t crls_published_total();
// True when the latest CRL signature this process attempted failed (the key or its token
// unusable); false before the first and after one that succeeded.
bool crl_signing_failed();

struct PublishedCrl {
  std::string der;
  std::int64_t number = 0;
  std::chrono::system_clock::time_point this_update, next_update;
};

// The CRL a relying party asks for by its file name below /pki/crl/: issuing.crl and
// issuing-delta.crl (the current issuing CA), issuing-<serial>.crl and issuing-<serial>-delta.crl
// (any generation, by its certificate's serial in hex), root.crl (the ARL in the CA folder, made
// by `onshi ca sign-root-crl`). Nothing for another name, without a CA, or before the first one.
// `with_der` false leaves der empty (the ARL's is read anyway): what a conditional GET needs.
std::optional<PublishedCrl> published_crl(const Services& s, std::string_view file_name,
                                          bool with_der = true);

}  // namespace onshi::app
