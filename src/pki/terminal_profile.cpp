#include "pki/terminal_profile.hpp"

#include "pki/profiles.hpp"
#include "pki/x509_build.hpp"

#include <openssl/bn.h>
#include <openssl/obj_mac.h>

#include <algorithm>
#include <stdexcept>

namespace onshi::pki {

std::chrono::system_clock::time_point add_months_clamped(std::chrono::system_clock::time_point t,
                                                         int months) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(t);
  const auto day = floor<days>(secs);
  const auto time_of_day = secs - day;
  year_month_day ymd{day};
  const year_month target = year_month{ymd.year(), ymd.month()} + std::chrono::months{months};
  const year_month_day_last last{target.year(), month_day_last{target.month()}};
  const auto d = std::min(ymd.day(), last.day());
  return sys_days{year_month_day{target.year(), target.month(), d}} + time_of_day;
}

std::string truncate_code_points(std::string_view text, std::size_t max_code_points) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    // A byte that is not a continuation byte starts a code point.
    if ((static_cast<unsigned char>(text[i]) & 0xc0) != 0x80) {
      if (count == max_code_points) return std::string(text.substr(0, i));
      ++count;
    }
  }
  return std::string(text);
}

namespace detail {

std::optional<CsrError> terminal_key_policy_error(const EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "EC")) {
    const std::string description = ossl::describe_key(key);
    if (description == "ECDSA P-256" || description == "ECDSA P-384") return std::nullopt;
    return CsrError::unsupported_curve;
  }
  if (EVP_PKEY_is_a(key, "RSA")) {
    const int bits = EVP_PKEY_get_bits(key);
    if (bits < 2048) return CsrError::weak_key;
    if (bits != 2048 && bits != 3072) return CsrError::unsupported_key;
    BIGNUM* e = nullptr;
    if (EVP_PKEY_get_bn_param(key, "e", &e) != 1) return CsrError::unsupported_key;
    ossl::BigNum exponent(e);
    if (!BN_is_word(exponent.get(), 65537)) return CsrError::rsa_exponent;
    return std::nullopt;
  }
  return CsrError::unsupported_key;
}

void check_terminal_subject(const TerminalSubject& subject, const TerminalProfile& profile) {
  const std::string& code = subject.institution_code;
  if (code.size() != 10 || code.find_first_not_of("0123456789") != std::string::npos) {
    throw std::invalid_argument("institution code must be 10 digits");
  }
  if (subject.terminal.empty() || subject.institution_name.empty() ||
      subject.issuance_number.empty()) {
    throw std::invalid_argument("terminal subject is incomplete");
  }
  if (profile.validity_months <= 0) throw std::invalid_argument("validity must be positive");
}

ossl::Cert build_terminal_certificate(const TerminalSubject& subject, EVP_PKEY* public_key,
                                      const TerminalProfile& profile, const std::string& serial_hex,
                                      std::chrono::system_clock::time_point now,
                                      const X509* issuing_cert, EVP_PKEY* issuing_key) {
  if (auto error = terminal_key_policy_error(public_key)) {
    throw std::invalid_argument("terminal key refused: " + std::string(csr_error_name(*error)));
  }
  check_terminal_subject(subject, profile);
  const std::string& code = subject.institution_code;

  // RDN order C, O, OU, CN, serialNumber, one attribute each (CPIPCS 7.1.1).
  ossl::Name name(ossl::check(X509_NAME_new(), "X509_NAME_new"));
  add_name_entry(name.get(), NID_countryName, "JP");
  add_name_entry(name.get(), NID_organizationName,
                 truncate_code_points(subject.institution_name, 64));
  add_name_entry(name.get(), NID_organizationalUnitName, code);
  add_name_entry(name.get(), NID_commonName, code + "-" + subject.terminal);
  add_name_entry(name.get(), NID_serialNumber, subject.issuance_number);

  const auto not_before = std::chrono::floor<std::chrono::seconds>(now);
  const auto ca_not_after = ossl::to_time_point(X509_get0_notAfter(issuing_cert));
  const auto not_after =
      std::min(add_months_clamped(not_before, profile.validity_months), ca_not_after);
  if (not_after <= not_before) throw std::runtime_error("the issuing CA certificate has expired");

  ossl::Cert cert = new_certificate(serial_hex, not_before, not_after, name.get(),
                                    X509_get_subject_name(issuing_cert), public_key);
  X509* c = cert.get();
  add_ext(c, issuing_cert, NID_key_usage,
          EVP_PKEY_is_a(public_key, "RSA") ? "critical,digitalSignature,keyEncipherment"
                                           : "critical,digitalSignature");
  add_ext(c, issuing_cert, NID_ext_key_usage, "clientAuth");
  add_ext(c, issuing_cert, NID_basic_constraints, "critical,CA:FALSE");
  add_ext(c, issuing_cert, NID_subject_key_identifier, "hash");
  add_ext(c, issuing_cert, NID_authority_key_identifier, "keyid:always");
  if (!profile.crl_url.empty()) add_crl_distribution_point(c, profile.crl_url);
  if (!profile.delta_crl_url.empty()) add_freshest_crl(c, profile.delta_crl_url);
  add_authority_info_access(c, profile.ocsp_url, profile.ca_issuers_url);
  if (!profile.policy_oid.empty()) add_certificate_policy(c, profile.policy_oid, profile.cps_url);
  sign(c, issuing_key);
  return cert;
}

}  // namespace detail
}  // namespace onshi::pki
