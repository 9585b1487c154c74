#pragma once
// Internal to pki/: the pieces every certificate profile is built from (names, extensions,
// serials, signing), so that authority.cpp and terminal_profile.cpp only say which pieces they use.
#include "pki/keys.hpp"
#include "pki/ossl.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace onshi::pki::detail {

// "C=JP, O=onshi, CN=onshi Root CA G1": one attribute per RDN, in the order written. C and
// serialNumber are PrintableString, everything else UTF8String (CPIPCS 7.1.1). Throws
// std::invalid_argument for an unknown attribute or a value its string type cannot hold.
ossl::Name parse_dn(std::string_view text);
void add_name_entry(X509_NAME* name, int nid, std::string_view value);
bool is_printable_string(std::string_view value);

// A new v3 certificate with serial, validity, subject, issuer name and public key set.
ossl::Cert new_certificate(std::string_view serial_hex, std::chrono::system_clock::time_point from,
                           std::chrono::system_clock::time_point until, const X509_NAME* subject,
                           const X509_NAME* issuer, EVP_PKEY* public_key);

// An extension from OpenSSL's configuration syntax; only for fixed strings (never user input).
// `issuer` may be the certificate itself (self-signed).
void add_ext(X509* cert, const X509* issuer, int nid, const char* value);
void add_crl_distribution_point(X509* cert, const std::string& url);
// freshestCRL (RFC 5280 4.2.1.15): where the delta CRLs are, in the same syntax.
void add_freshest_crl(X509* cert, const std::string& url);
void add_authority_info_access(X509* cert, const std::string& ocsp_url,
                               const std::string& ca_issuers_url);
void add_certificate_policy(X509* cert, const std::string& oid, const std::string& cps_url);

// Signs with the digest the CPS pairs with the key; the same call for file and PKCS#11 keys.
void sign(X509* cert, EVP_PKEY* key);

// The AlgorithmIdentifier `key` signs with under `md`, as X509_sign writes it (RFC 4055: NULL
// parameters for PKCS#1 v1.5; RFC 5758: none for ECDSA), for the DER written by hand.
std::string signature_algorithm_der(EVP_PKEY* key, const EVP_MD* md);

// A new key pair in memory (terminal keys, file-kind CA keys).
ossl::Pkey generate_key(KeyAlgorithm algorithm);

// SHA-1 of the subjectPublicKey BIT STRING (RFC 5280 4.2.1.2 method 1); also the PKCS#11
// CKA_ID of CA keys, so a certificate names its key in the token.
std::string key_identifier(const EVP_PKEY* key);

}  // namespace onshi::pki::detail
