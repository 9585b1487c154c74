#pragma once
// Internal to app/ca/ocsp_*.cpp: one certificate's answer, as the live and the stored responses
// both build it.
#include <chrono>
#include <string>

#include "app/ca/ocsp_keys.hpp"
#include "app/core/services.hpp"
#include "store/ocsp_records.hpp"

namespace onshi::app::detail {

using Clock = std::chrono::system_clock;

inline store::Millis ms(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
inline Clock::time_point at(store::Millis m) {
  return Clock::time_point(std::chrono::milliseconds(m));
}

// thisUpdate `now` (whole seconds, as DER has them), nextUpdate pki.ocsp_validity_hours later
// but never past the responder's notAfter; good or revoked as `c` says, unknown without `c`.
pki::OcspAnswer answer_for(const Services& s, const pki::OcspSigner& signer,
                           const store::OcspCertificateStatus* c, std::string cert_id_der,
                           Clock::time_point now);

// The response for `c` alone, signed now by `r`, ready to store.
store::OcspStoredResponse sign_stored(const Services& s, const LoadedResponder& r,
                                      const store::OcspCertificateStatus& c,
                                      store::OcspHashAlgorithm hash, Clock::time_point now);

}  // namespace onshi::app::detail
