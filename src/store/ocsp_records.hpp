#pragma once
// The OCSP responder's rows (migration 0015): delegated responder certificates per issuing CA
// generation, and the responses pre-produced for requests without a nonce.
#include <optional>
#include <string>

#include "store/records.hpp"

namespace onshi::store {

// A delegated responder certificate (CPIPCS 7.1.4). The one in use for a generation is the newest
// valid one; older ones stay, as the certificates they are.
struct OcspResponderRecord {
  Id id = 0;
  std::string issuer_key_id;  // the issuing CA generation's subjectKeyIdentifier, lower-case hex
  std::string serial_hex;
  std::string der;
  std::string sealed_key;  // PKCS#8 PEM sealed under the CA folder's terminal-keys.secret
  Millis not_before = 0;
  Millis not_after = 0;
  Millis created_at = 0;
};

// The CertID hash algorithm a stored response answers: a client finds its answer only in a
// SingleResponse whose CertID uses the algorithm it asked with.
enum class OcspHashAlgorithm { sha1, sha256 };

// A signed response for one certificate, as stored and served to requests without a nonce.
struct OcspStoredResponse {
  Id certificate_id = 0;
  OcspHashAlgorithm hash = OcspHashAlgorithm::sha1;
  bool revoked = false;  // what it says: revoked, else good
  std::string der;       // the whole OCSPResponse
  Millis this_update = 0;
  Millis next_update = 0;
  Millis refresh_at = 0;  // when half its validity is gone: signed again from then on
  Id responder_id = 0;
};

// What the responder knows of one certificate of ours, with its stored response for the hash
// asked about, if any.
struct OcspCertificateStatus {
  Id certificate_id = 0;
  std::string serial_hex;
  std::string issuer_key_id;
  Millis not_after = 0;
  std::optional<Millis> revoked_at;
  std::optional<int> revocation_reason;
  std::optional<OcspStoredResponse> response;
};

// A response the scheduler is to sign: missing, or past its refresh time.
struct OcspDue {
  OcspCertificateStatus certificate;  // without `response`
  OcspHashAlgorithm hash = OcspHashAlgorithm::sha1;
};

}  // namespace onshi::store
