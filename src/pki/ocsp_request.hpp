#pragma once
// The OCSP request (RFC 6960 4.1) as the responder reads it: a DER walk of our own, bounded by
// the input and by the number of CertIDs, with no OpenSSL and no allocation beyond the result,
// so that every request a relying party sends costs microseconds and the parser can be fuzzed
// on its own (tests/fuzz/). Standard library only, and nothing newer than clang 14 compiles:
// the fuzz build uses Debian's clang, whose library has no std::expected (ocsp.hpp wraps it).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onshi::pki {

// The CertID hash algorithms the responder answers for (CPIPCS 7.3); `other` is any other OID,
// kept so that the CertID can still be echoed (no issuer ever matches it).
enum class OcspHash { sha1, sha256, other };

struct OcspCertId {
  OcspHash hash = OcspHash::other;
  std::string issuer_name_hash;  // raw octets
  std::string issuer_key_hash;   // raw octets
  // The serial as the store spells it (pki/serial.hpp): lower-case hex of the magnitude, whole
  // octets, no leading zero octet. Empty for zero or a negative number, which no certificate of
  // ours has.
  std::string serial_hex;
  std::string der;  // the CertID exactly as sent, for the SingleResponse that answers it
};

struct OcspRequest {
  std::vector<OcspCertId> certs;
  // The nonce extension's extnValue as sent (the DER OCTET STRING holding 1 to 32 octets, RFC
  // 8954), echoed byte for byte; nothing when the request has none.
  std::optional<std::string> nonce;
};

// Why a request is malformedRequest, for the log and /metrics; the client only ever sees
// malformedRequest (RFC 6960 2.3).
enum class OcspRequestError {
  truncated,           // a length runs past its container
  trailing_bytes,      // bytes after the request or inside a structure after its last field
  not_der,             // a tag or length this grammar does not allow here
  version,             // a version other than v1 (0)
  no_certificates,     // an empty requestList
  too_many,            // more CertIDs than the configured bound (pki.ocsp_max_certificates)
  bad_hash,            // a SHA-1 or SHA-256 CertID whose hashes have another length
  bad_nonce,           // a nonce that is not an OCTET STRING of 1 to 32 octets, or two nonces
  critical_extension,  // a critical extension the responder does not know
};
inline constexpr OcspRequestError kOcspRequestErrors[] = {
    OcspRequestError::truncated,         OcspRequestError::trailing_bytes,
    OcspRequestError::not_der,           OcspRequestError::version,
    OcspRequestError::no_certificates,   OcspRequestError::too_many,
    OcspRequestError::bad_hash,          OcspRequestError::bad_nonce,
    OcspRequestError::critical_extension};
// "truncated", "trailing_bytes", …
std::string_view ocsp_request_error_name(OcspRequestError e);

inline constexpr std::size_t kOcspMaxNonceOctets = 32;  // RFC 8954 2.1

namespace detail {
// Reads `der` into `out` (cleared first). Nothing on success, else why the request is
// malformed; `out` is then unspecified. Never reads outside `der`.
std::optional<OcspRequestError> read_ocsp_request(std::string_view der,
                                                  std::size_t max_certificates, OcspRequest& out);
}  // namespace detail

}  // namespace onshi::pki
