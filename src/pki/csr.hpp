#pragma once
// Checking a terminal's certificate signing request (CPIPCS 3.2.1, 6.1.5, 6.1.6).
#include <expected>
#include <string>
#include <string_view>

namespace onshi::pki {

// Why a request or a terminal key is refused; app/ turns each into the message key
// "csr.<csr_error_name>".
enum class CsrError {
  unreadable,         // neither PEM nor DER PKCS#10
  more_than_one,      // a second PEM block: one request per terminal
  unsupported_key,    // not EC or RSA, or RSA of another size
  unsupported_curve,  // EC other than P-256 / P-384
  weak_key,           // RSA under 2048 bits
  rsa_exponent,       // e other than 65537
  bad_key,            // an invalid public key
  weak_signature,     // MD5 or SHA-1
  bad_signature,      // the self-signature does not verify (no proof of possession)
};
inline constexpr CsrError kCsrErrors[] = {
    CsrError::unreadable,        CsrError::more_than_one,  CsrError::unsupported_key,
    CsrError::unsupported_curve, CsrError::weak_key,       CsrError::rsa_exponent,
    CsrError::bad_key,           CsrError::weak_signature, CsrError::bad_signature,
};
std::string_view csr_error_name(CsrError e);

struct CheckedCsr {
  std::string public_key_der;   // SubjectPublicKeyInfo DER, for IssuingCa::issue
  std::string key_description;  // "ECDSA P-256", "RSA 2048"
  // Issuance ignores these; EST re-enrolment requires them to equal the certificate's (RFC 7030
  // 4.2.2).
  std::string subject_der;           // the request's Name, DER
  std::string subject_alt_name_der;  // from its extensionRequest (GeneralNames DER); "" if none
};

// PEM or DER PKCS#10. Checks the self-signature (proof of possession) and the key policy: EC P-256
// or P-384, RSA 2048 or 3072 with e = 65537. Issuance uses only the key: the CA writes the subject
// from the application.
std::expected<CheckedCsr, CsrError> check_csr(std::string_view pem_or_der);

}  // namespace onshi::pki
