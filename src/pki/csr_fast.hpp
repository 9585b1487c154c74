#pragma once
// Internal to pki/: the two ways check_csr (csr.hpp) reads a request. OpenSSL's X509_REQ path
// spends most of a check decoding the public key (OSSL_DECODER) and validating it with a second
// scalar multiplication; a plain EC request, the kind vendors send, is read here by hand instead.
#include "pki/csr.hpp"

#include <expected>
#include <optional>
#include <string_view>

namespace onshi::pki::detail {

// Far above any real CSR (an RSA-3072 request is about 1.5 KB), far below anything that could
// hurt the parser. Both paths refuse what is longer.
inline constexpr std::size_t kMaxCsrSize = 64 * 1024;

// A PKCS#10 request in strict DER (alone or in one PEM block as PEM_write writes it: 64-column
// lines, LF) with a P-256 or P-384 named-curve key, an uncompressed point, ECDSA with SHA-256,
// SHA-384 or SHA-512 and no attributes. nullopt for anything else and for every request it does
// not accept: it never refuses, check_csr_openssl decides those, so it cannot refuse what
// OpenSSL would accept nor give another reason. What it accepts, check_csr_openssl accepts with
// the same result (the unit tests compare the two over many mutated requests).
std::optional<CheckedCsr> check_plain_ec_csr(std::string_view pem_or_der);

// check_csr through X509_REQ alone.
std::expected<CheckedCsr, CsrError> check_csr_openssl(std::string_view pem_or_der);

}  // namespace onshi::pki::detail
