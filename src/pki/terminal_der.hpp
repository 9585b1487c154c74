#pragma once
// Internal to pki/: the DER pieces of a terminal certificate that TerminalSigner assembles
// (terminal_signer.hpp), each the octets OpenSSL writes for the same input.
#include <string>
#include <string_view>

#include "pki/terminal_profile.hpp"

namespace onshi::pki::detail {

inline constexpr unsigned char kUtf8String = 0x0c;
inline constexpr unsigned char kPrintableString = 0x13;

// Appends the Extension { extnID, critical (only when true), extnValue }.
void put_extension(std::string& out, std::string_view oid, bool critical, std::string_view value);
// The extensions after the authorityKeyIdentifier: they depend on the profile only.
// std::invalid_argument for a policy OID that is not dotted numbers.
std::string profile_extensions(const TerminalProfile& p);
// The serial's octets without leading zeros; std::invalid_argument, as new_certificate
// (x509_build.cpp) refuses, for what is not 1 to 40 hex digits of a positive 20-octet number.
std::string serial_magnitude(std::string_view hex);
// Appends RelativeDistinguishedName SET { AttributeTypeAndValue } of one attribute.
void put_rdn(std::string& out, std::string_view oid, unsigned char type, std::string_view value);
std::string pem_of(std::string_view der);

struct SubjectKey {
  std::string spki;    // as the certificate carries it
  std::string key_id;  // SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2 (1))
  bool rsa = false;
};
// A P-256 or P-384 key in OpenSSL's own encoding is taken as it is once its point is on the curve
// (what decoding it would check); any other key is decoded and encoded again, as X509_set_pubkey
// would, and must pass the terminal key policy. std::invalid_argument when it does not.
SubjectKey subject_key(std::string_view der);

// The RFC 2253 line rfc2253() (ossl.hpp) prints for a terminal subject, without making the
// X509_NAME: serialNumber=…,CN=…,OU=…,O=…,C=JP.
std::string terminal_subject_rfc2253(std::string_view organization, std::string_view unit,
                                     std::string_view common_name, std::string_view serial_number);

}  // namespace onshi::pki::detail
