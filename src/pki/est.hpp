#pragma once
// What EST (RFC 7030) needs from the CA besides issuing: the CSR attributes the terminal profile
// asks for (/csrattrs), and what re-enrolment reads from the certificate a terminal presents to
// compare it with the one stored and with the request (RFC 7030 4.2.2). The key of /serverkeygen
// comes from IssuingCa::private_key_pkcs8.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "pki/keys.hpp"

namespace onshi::pki {

// DER CsrAttrs (RFC 7030 4.5.2) for a terminal key of `algorithm`: for EC the Attribute
// id-ecPublicKey with its curve (secp256r1 or secp384r1) and the OID of the signature to use
// (ecdsa-with-SHA256 or -SHA384); for RSA the OIDs rsaEncryption and sha256WithRSAEncryption.
std::string csr_attributes_der(KeyAlgorithm algorithm);

// What a certificate says of itself.
struct CertificateFacts {
  std::string serial_hex;            // as IssuedCertificate::serial_hex spells it
  std::string subject_der;           // the Name, DER
  std::string subject_alt_name_der;  // the extension's value (GeneralNames DER); "" without one
  std::string public_key_der;        // SubjectPublicKeyInfo
  std::chrono::system_clock::time_point not_before, not_after;
};
// Nothing when `der` is not exactly one DER certificate.
std::optional<CertificateFacts> read_certificate(std::string_view der);

// True when two DER Names are the same name under RFC 5280 7.1's comparison as OpenSSL makes it
// (X509_NAME_cmp over the canonical form: string types, case and runs of spaces do not matter),
// so that a request made by `openssl req -subj` names the same subject as the certificate. False
// when either does not parse.
bool same_name(std::string_view a_der, std::string_view b_der);

}  // namespace onshi::pki
