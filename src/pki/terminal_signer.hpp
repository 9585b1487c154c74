#pragma once
// Internal to pki/: terminal certificates (CPIPCS 7.1.1) written as DER by hand and signed with a
// context prepared once. Building them through X509 objects spent two thirds of each signature
// decoding the terminal's public key again (X509_PUBKEY_set, OSSL_DECODER); here the
// SubjectPublicKeyInfo octets go into the TBSCertificate as they came. The bytes are the ones
// build_terminal_certificate (terminal_profile.cpp) writes for the same inputs: the unit tests
// compare the two.
#include "pki/issuing_ca.hpp"
#include "pki/ossl.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace onshi::pki::detail {

// One per issuing CA generation; the certificate and key are not owned and must outlive it.
// Thread-safe: the prepared signature is used under `key_lock` only, the rest only reads.
class TerminalSigner {
 public:
  TerminalSigner(const X509* issuing_cert, EVP_PKEY* issuing_key, std::mutex& key_lock);
  ~TerminalSigner();
  TerminalSigner(const TerminalSigner&) = delete;
  TerminalSigner& operator=(const TerminalSigner&) = delete;

  // IssuingCa::issue's contract: std::invalid_argument for a subject, key, serial or profile
  // outside CPIPCS 7.1.1, std::runtime_error when the issuing certificate has expired.
  IssuedCertificate issue(const TerminalSubject& subject, std::string_view public_key_der,
                          const TerminalProfile& profile, std::string_view serial_hex,
                          std::chrono::system_clock::time_point now) const;

  // The TBSCertificate alone, checked as issue() checks; for the tests that compare it with what
  // OpenSSL builds.
  std::string tbs_certificate(const TerminalSubject& subject, std::string_view public_key_der,
                              const TerminalProfile& profile, std::string_view serial_hex,
                              std::chrono::system_clock::time_point now) const;

 private:
  struct Prepared;
  struct Tbs;
  Tbs build(const TerminalSubject& subject, std::string_view public_key_der,
            const TerminalProfile& profile, std::string_view serial_hex,
            std::chrono::system_clock::time_point now) const;
  std::string sign(std::string_view tbs) const;

  std::unique_ptr<Prepared> p_;
};

}  // namespace onshi::pki::detail
