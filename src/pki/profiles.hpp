#pragma once
// Internal to pki/: builders for the three certificate profiles of CPIPCS 7.1.1–7.1.3.
#include "pki/authority.hpp"
#include "pki/csr.hpp"
#include "pki/ossl.hpp"
#include "pki/terminal_profile.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace onshi::pki::detail {

// nullopt when the key is one CPIPCS 6.1.5 accepts for a terminal, else why not.
std::optional<CsrError> terminal_key_policy_error(const EVP_PKEY* key);

// Throws std::invalid_argument when the subject or the validity breaks the terminal profile: the
// one check of both signing paths (build_terminal_certificate and TerminalSigner).
void check_terminal_subject(const TerminalSubject& subject, const TerminalProfile& profile);

// A signed terminal certificate. Throws std::invalid_argument when the subject or key breaks the
// profile (the caller should have checked) and std::runtime_error when OpenSSL fails.
ossl::Cert build_terminal_certificate(const TerminalSubject& subject, EVP_PKEY* public_key,
                                      const TerminalProfile& profile, const std::string& serial_hex,
                                      std::chrono::system_clock::time_point now,
                                      const X509* issuing_cert, EVP_PKEY* issuing_key);

// A signed TLS server certificate for the names given (server_profile.cpp). Throws
// std::invalid_argument for a name that is_dns_host_name or ip_address_octets refuses.
ossl::Cert build_server_certificate(const std::vector<std::string>& dns_names,
                                    const std::vector<std::string>& ip_addresses,
                                    EVP_PKEY* public_key, const std::string& serial_hex,
                                    std::chrono::system_clock::time_point now,
                                    const X509* issuing_cert, EVP_PKEY* issuing_key);

// Public and signing key are apart because a token key handle need not carry its public half.
ossl::Cert build_root_certificate(const CaSettings& s, const std::string& serial_hex,
                                  std::chrono::system_clock::time_point now,
                                  EVP_PKEY* root_public_key, EVP_PKEY* root_key);

ossl::Cert build_issuing_certificate(const CaSettings& s, const std::string& serial_hex,
                                     std::chrono::system_clock::time_point now,
                                     EVP_PKEY* issuing_public_key, const X509* root_cert,
                                     EVP_PKEY* root_key);

}  // namespace onshi::pki::detail
