#pragma once
// The OCSP responder (RFC 6960, RFC 5019; CPIPCS 7.3). A request without a nonce for one
// certificate is answered from its pre-produced response, signed once per certificate and
// status and stored, so that answering costs a lookup and no signature; a nonce, several
// certificates or an unknown serial get a response signed live by the generation's delegated
// responder. The issuing CA's key signs only responder certificates, never a response.
#include <chrono>
#include <string>
#include <string_view>

#include "app/core/services.hpp"

namespace onshi::app {

// What a response says, for the log and /metrics.
enum class OcspOutcome {
  good,
  revoked,
  unknown,
  several,  // more than one certificate answered
  malformed,
  unauthorized,  // another issuer, or several issuers in one request
  try_later,     // no responder certificate loaded yet (renew_ocsp_responders has not run)
};
std::string_view ocsp_outcome_name(OcspOutcome o);

struct OcspReply {
  std::string der;  // the OCSPResponse
  OcspOutcome outcome = OcspOutcome::malformed;
  // RFC 5019 HTTP caching applies: a successful response without nonce for one certificate.
  bool cacheable = false;
  std::chrono::system_clock::time_point this_update, next_update;
  // With `cacheable`: the HTTP validator, a hash of `der` (with its quotes), the same on every
  // node.
  std::string etag;
};

// Never throws for what a client sends; a store or signing failure throws (the web layer answers
// internalError).
OcspReply answer_ocsp(const Services& s, std::string_view request_der);

// At start and from the scheduler: each generation that has not expired gets a responder
// certificate valid for at least half of pki.ocsp_responder_validity_days (or up to the
// generation's end), issued with its audit row; then this node loads the newest valid one of
// each. Safe on several nodes at once (try_insert_ocsp_responder). Returns how many certificates
// it issued.
int renew_ocsp_responders(const Services& s);

// From the scheduler: signs again, in batches, each stored response within 15 minutes of its
// refresh time (half its validity) and each missing one of a certificate that has not expired or
// was revoked (CPIPCS 4.10), and stores them. Safe on several nodes at once: a response is
// stored only while its certificate still has the status it says. Returns how many it stored.
int refresh_ocsp_responses(const Services& s);

}  // namespace onshi::app
