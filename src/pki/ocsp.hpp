#pragma once
// The OCSP responder's cryptography (RFC 6960, RFC 5019; CPIPCS 7.1.4 and 7.3): reading requests
// (ocsp_request.hpp), naming an issuing CA generation by a CertID's hashes, the delegated
// responder certificate each generation issues, and the responses, signed by that responder's
// key and never by the CA's. No store here: app/ca/ocsp_responder.* decides what to answer.
#include <chrono>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pki/issuing_ca.hpp"
#include "pki/ocsp_request.hpp"

namespace onshi::pki {

// At most `max_certificates` CertIDs (pki.ocsp_max_certificates).
std::expected<OcspRequest, OcspRequestError> parse_ocsp_request(std::string_view der,
                                                                std::size_t max_certificates);

// What a CertID names an issuing CA by (RFC 6960 4.1.1): the hash of its subject name's DER and
// of its subjectPublicKey BIT STRING's value, by SHA-1 and by SHA-256, for one generation.
struct OcspIssuer {
  std::string key_id_hex;  // IssuingCaInfo::key_id_hex of the generation
  std::string sha1_name, sha1_key, sha256_name, sha256_key;
};
// Every generation the CA still has (IssuingCa::generations), current first.
std::vector<OcspIssuer> ocsp_issuers(const IssuingCa& ca);
// The generation `id` names, or null (another issuer's certificate, or a hash we do not answer).
const OcspIssuer* find_ocsp_issuer(const std::vector<OcspIssuer>& issuers, const OcspCertId& id);

// CPIPCS 7.1.4: what `onshi serve` keeps in the database, per generation.
struct OcspResponderCertificate {
  std::string der;
  std::string sealed_private_key;  // PKCS#8 PEM sealed like TerminalKey::sealed_private_key
  std::string issuer_key_id_hex;
  std::string serial_hex;
  std::chrono::system_clock::time_point not_before, not_after;
};

struct OcspResponderProfile {
  std::string subject = "C=JP, O=onshi, CN=onshi OCSP Responder";  // pki.ocsp_subject
  std::chrono::hours validity{24 * 7};  // pki.ocsp_responder_validity_days
};

// A responder certificate for the generation `issuer_key_id_hex`, with a new ECDSA P-256 key
// made here: issuer that generation, EKU id-kp-OCSPSigning, id-pkix-ocsp-nocheck, keyUsage
// critical digitalSignature, basicConstraints critical CA:FALSE, SKI and AKI. notBefore is an
// hour before `now`, for relying parties whose clocks are slow; notAfter `validity` after `now`,
// capped by the generation's notAfter. Signs with the CA key (under the signing mutex). Throws
// std::invalid_argument for a key id no generation has or a bad subject, std::runtime_error when
// the generation has expired.
OcspResponderCertificate issue_ocsp_responder(const IssuingCa& ca,
                                              std::string_view issuer_key_id_hex,
                                              const OcspResponderProfile& profile,
                                              std::chrono::system_clock::time_point now);

enum class OcspCertStatus { good, revoked, unknown };

struct OcspAnswer {
  std::string cert_id_der;  // the request's CertID, or OcspSigner::cert_id for a stored response
  OcspCertStatus status = OcspCertStatus::unknown;
  std::chrono::system_clock::time_point revoked_at{};
  int reason = 0;  // RFC 5280 CRLReason; 0 (unspecified) is left out of the response (CPIPCS 7.3)
  std::chrono::system_clock::time_point this_update, next_update;
};

// A delegated responder, its certificate and its key opened once per node; the key is held
// decrypted in memory, so signing needs neither the CA's key nor its mutex. Thread-safe.
class OcspSigner {
 public:
  // Throws std::runtime_error when the key does not open with this CA's secret or is not the
  // certificate's, or when no generation of `ca` issued the certificate.
  static std::unique_ptr<OcspSigner> open(const IssuingCa& ca, std::string_view cert_der,
                                          std::string_view sealed_private_key);
  ~OcspSigner();
  OcspSigner(const OcspSigner&) = delete;
  OcspSigner& operator=(const OcspSigner&) = delete;

  const std::string& issuer_key_id_hex() const;
  const std::string& serial_hex() const;
  std::chrono::system_clock::time_point not_before() const;
  std::chrono::system_clock::time_point not_after() const;

  // The CertID (DER) of the issuer's certificate with this serial: what a stored response
  // answers, and what a client's CertID with the same hash algorithm equals.
  std::string cert_id(OcspHash hash, std::string_view serial_hex) const;

  // A successful OCSPResponse (DER) holding a BasicOCSPResponse with one SingleResponse per
  // answer, in order: responderID byKey, the responder certificate included, producedAt
  // `produced_at`, and `nonce` (an extnValue from OcspRequest::nonce) echoed. Throws
  // std::invalid_argument for an answer whose nextUpdate is past the responder's notAfter or
  // whose CertID does not parse.
  std::string sign(const std::vector<OcspAnswer>& answers, const std::optional<std::string>& nonce,
                   std::chrono::system_clock::time_point produced_at) const;

 private:
  struct Impl;
  explicit OcspSigner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The unsigned answers of RFC 6960 4.2.1 (OCSPResponseStatus without responseBytes).
enum class OcspResponseStatus {
  malformed_request = 1,
  internal_error = 2,
  try_later = 3,
  unauthorized = 6,
};
std::string ocsp_error_response(OcspResponseStatus status);

}  // namespace onshi::pki
