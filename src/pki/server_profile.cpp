// The server profile: EKU serverAuth, the names in subjectAltName (RFC 5280 4.2.1.6; CN only
// repeats the first, as browsers read the SAN alone), 397 days at the most (the CA/Browser
// Forum's limit, which TLS clients apply) and never past the issuing CA.
#include <arpa/inet.h>
#include <openssl/obj_mac.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <stdexcept>

#include "pki/profiles.hpp"
#include "pki/server_certificate.hpp"
#include "pki/x509_build.hpp"

namespace onshi::pki {

std::string_view server_name_error_text(ServerNameError e) {
  switch (e) {
    case ServerNameError::no_names:
      return "give at least one --dns NAME or --ip ADDRESS";
    case ServerNameError::bad_dns_name:
      return "a --dns value is not a host name (letters, digits, hyphens and dots)";
    case ServerNameError::bad_ip_address:
      return "an --ip value is not an IPv4 or IPv6 address";
  }
  return "bad server name";
}

std::string ip_address_octets(std::string_view text) {
  const std::string s(text);
  unsigned char buf[16];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) return std::string(reinterpret_cast<char*>(buf), 4);
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1)
    return std::string(reinterpret_cast<char*>(buf), 16);
  return {};
}

bool is_dns_host_name(std::string_view name) {
  if (name.empty() || name.size() > 253 || name.back() == '.') return false;
  std::size_t start = 0;
  while (start <= name.size()) {
    const auto dot = name.find('.', start);
    const auto label =
        name.substr(start, dot == std::string_view::npos ? name.size() - start : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    if (!std::ranges::all_of(label, [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-';
        })) {
      return false;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

namespace detail {

ossl::Cert build_server_certificate(const std::vector<std::string>& dns_names,
                                    const std::vector<std::string>& ip_addresses,
                                    EVP_PKEY* public_key, const std::string& serial_hex,
                                    std::chrono::system_clock::time_point now,
                                    const X509* issuing_cert, EVP_PKEY* issuing_key) {
  if (dns_names.empty() && ip_addresses.empty()) throw std::invalid_argument("no server names");
  ossl::Name name(ossl::check(X509_NAME_new(), "X509_NAME_new"));
  add_name_entry(name.get(), NID_countryName, "JP");
  add_name_entry(name.get(), NID_organizationName, "onshi");
  add_name_entry(name.get(), NID_commonName,
                 dns_names.empty() ? ip_addresses.front() : dns_names.front());

  using namespace std::chrono;
  const auto not_before = floor<seconds>(now);
  const auto ca_not_after = ossl::to_time_point(X509_get0_notAfter(issuing_cert));
  const system_clock::time_point not_after =
      std::min<system_clock::time_point>(not_before + days{397}, ca_not_after);
  if (not_after <= not_before) throw std::runtime_error("the issuing CA certificate has expired");

  ossl::Cert cert = new_certificate(serial_hex, not_before, not_after, name.get(),
                                    X509_get_subject_name(issuing_cert), public_key);
  X509* c = cert.get();
  add_ext(c, issuing_cert, NID_key_usage, "critical,digitalSignature");
  add_ext(c, issuing_cert, NID_ext_key_usage, "serverAuth");
  add_ext(c, issuing_cert, NID_basic_constraints, "critical,CA:FALSE");
  add_ext(c, issuing_cert, NID_subject_key_identifier, "hash");
  add_ext(c, issuing_cert, NID_authority_key_identifier, "keyid:always");

  // The names come from the command line: built as GENERAL_NAMEs, never through the
  // configuration-string parser.
  std::unique_ptr<GENERAL_NAMES, ossl::Deleter<GENERAL_NAMES_free>> sans(
      ossl::check(GENERAL_NAMES_new(), "GENERAL_NAMES_new"));
  const auto push = [&](int type, std::string_view bytes) {
    ossl::GeneralName gn(ossl::check(GENERAL_NAME_new(), "GENERAL_NAME_new"));
    ASN1_STRING* value =
        ossl::check(ASN1_STRING_type_new(type == GEN_DNS ? V_ASN1_IA5STRING : V_ASN1_OCTET_STRING),
                    "ASN1_STRING_type_new");
    ossl::check(ASN1_STRING_set(value, bytes.data(), static_cast<int>(bytes.size())),
                "ASN1_STRING_set");
    GENERAL_NAME_set0_value(gn.get(), type, value);
    ossl::check(sk_GENERAL_NAME_push(sans.get(), gn.get()), "sk_GENERAL_NAME_push");
    gn.release();
  };
  for (const auto& dns : dns_names) {
    if (!is_dns_host_name(dns)) throw std::invalid_argument("bad DNS name");
    push(GEN_DNS, dns);
  }
  for (const auto& ip : ip_addresses) {
    const auto octets = ip_address_octets(ip);
    if (octets.empty()) throw std::invalid_argument("bad IP address");
    push(GEN_IPADD, octets);
  }
  ossl::check(X509_add1_ext_i2d(c, NID_subject_alt_name, sans.get(), 0, X509V3_ADD_DEFAULT),
              "X509_add1_ext_i2d subjectAltName");
  sign(c, issuing_key);
  return cert;
}

}  // namespace detail
}  // namespace onshi::pki
