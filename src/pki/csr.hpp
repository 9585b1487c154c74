#pragma once
// Checking a terminal's certificate signing request (CPIPCS 3.2.1, 6.1.5, 6.1.6).
#include <expected>
#include <string>
#include <string_view>

namespace onshi::pki {

struct CheckedCsr {
  std::string public_key_der;   // SubjectPublicKeyInfo DER, for IssuingCa::issue
  std::string key_description;  // "ECDSA P-256", "RSA 2048"
};

// PEM or DER PKCS#10. Checks the self-signature (proof of possession) and the key policy: EC P-256
// or P-384, RSA 2048 or 3072 with e = 65537. Only the key is used: the subject of the request is
// ignored, since the CA writes the subject from the application. Error keys: csr.unreadable,
// csr.bad_signature, csr.weak_signature (MD5/SHA-1), csr.weak_key, csr.unsupported_curve,
// csr.unsupported_key, csr.rsa_exponent, csr.bad_key (an invalid public key), csr.more_than_one
// (a second PEM block: one request per terminal).
std::expected<CheckedCsr, std::string> check_csr(std::string_view pem_or_der);

}  // namespace onshi::pki
