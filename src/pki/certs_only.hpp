#pragma once
// Certificates as a terminal or a tool takes them when no key travels with them: the chain as PEM,
// and PKCS#7 "certs-only" SignedData (RFC 2315 / RFC 5652 degenerate form, no signers), which
// Windows' certificate import wizard reads as .p7b and EST's /cacerts answers (RFC 7030 4.1.3).
#include <string>
#include <string_view>
#include <vector>

namespace onshi::pki {

// DER of a PKCS#7 SignedData carrying `certificates_der` in the order given (leaf first, then
// the issuing CA, then the root). Throws std::invalid_argument when one does not parse.
std::string certs_only_pkcs7(const std::vector<std::string_view>& certificates_der);

// The same certificates as concatenated PEM blocks, in the order given.
std::string certificates_pem(const std::vector<std::string_view>& certificates_der);

}  // namespace onshi::pki
