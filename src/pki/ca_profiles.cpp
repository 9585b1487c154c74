// Root and issuing CA certificate profiles (CPIPCS 7.1.2, 7.1.3).
#include "pki/profiles.hpp"
#include "pki/x509_build.hpp"

#include <openssl/obj_mac.h>

#include <algorithm>
#include <stdexcept>

namespace onshi::pki::detail {

ossl::Cert build_root_certificate(const CaSettings& s, const std::string& serial_hex,
                                  std::chrono::system_clock::time_point now,
                                  EVP_PKEY* root_public_key, EVP_PKEY* root_key) {
  if (s.root_validity_years <= 0) throw std::invalid_argument("root validity must be positive");
  const auto not_before = std::chrono::floor<std::chrono::seconds>(now);
  const auto not_after = add_months_clamped(not_before, s.root_validity_years * 12);
  ossl::Name name = parse_dn(s.root_subject);
  ossl::Cert cert =
      new_certificate(serial_hex, not_before, not_after, name.get(), name.get(), root_public_key);
  X509* c = cert.get();
  add_ext(c, c, NID_basic_constraints, "critical,CA:TRUE");
  add_ext(c, c, NID_key_usage, "critical,keyCertSign,cRLSign");
  add_ext(c, c, NID_subject_key_identifier, "hash");
  sign(c, root_key);
  return cert;
}

ossl::Cert build_issuing_certificate(const CaSettings& s, const std::string& serial_hex,
                                     std::chrono::system_clock::time_point now,
                                     EVP_PKEY* issuing_public_key, const X509* root_cert,
                                     EVP_PKEY* root_key) {
  if (s.issuing_validity_years <= 0) {
    throw std::invalid_argument("issuing validity must be positive");
  }
  const auto not_before = std::chrono::floor<std::chrono::seconds>(now);
  const auto root_not_after = ossl::to_time_point(X509_get0_notAfter(root_cert));
  const auto not_after =
      std::min(add_months_clamped(not_before, s.issuing_validity_years * 12), root_not_after);
  if (not_after <= not_before) throw std::runtime_error("the root CA certificate has expired");
  ossl::Name name = parse_dn(s.issuing_subject);
  ossl::Cert cert = new_certificate(serial_hex, not_before, not_after, name.get(),
                                    X509_get_subject_name(root_cert), issuing_public_key);
  X509* c = cert.get();
  add_ext(c, root_cert, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
  add_ext(c, root_cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  add_ext(c, root_cert, NID_subject_key_identifier, "hash");
  add_ext(c, root_cert, NID_authority_key_identifier, "keyid:always");
  if (!s.root_crl_url.empty()) add_crl_distribution_point(c, s.root_crl_url);
  // The root CA runs no OCSP responder (CPIPCS 7.1.2), so AIA carries caIssuers only.
  add_authority_info_access(c, "", s.root_ca_issuers_url);
  sign(c, root_key);
  return cert;
}

}  // namespace onshi::pki::detail
