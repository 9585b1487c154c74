#pragma once
// The CA itself: creating the root and issuing CA, replacing the issuing CA, and describing them.
#include "pki/keys.hpp"

#include <chrono>
#include <string>

namespace onshi::pki {

// Written in the CPS (CPIPCS 7.1.2, 7.1.3).
struct CaSettings {
  KeyAlgorithm root_algorithm = KeyAlgorithm::ec_p384;
  KeyAlgorithm issuing_algorithm = KeyAlgorithm::ec_p256;
  int root_validity_years = 20;
  int issuing_validity_years = 10;
  std::string root_subject = "C=JP, O=onshi, CN=onshi Root CA G1";
  std::string issuing_subject = "C=JP, O=onshi, CN=onshi Issuing CA G1";
  std::string root_crl_url;         // BASE_URL/pki/crl/root.crl, in the issuing CA certificate
  std::string root_ca_issuers_url;  // BASE_URL/pki/ca/root.crt, in the issuing CA certificate
};

struct CertificateSummary {
  std::string subject;  // RFC 2253 (CN first), UTF-8 unescaped
  std::string issuer;
  std::string serial_hex;      // lower case
  std::string not_before_utc;  // 2025-01-02T03:04:05Z
  std::string not_after_utc;
  std::string sha256_fingerprint;  // AA:BB:…
  std::string key_algorithm;       // "ECDSA P-384", "RSA 2048"
  std::string pem;
};

struct CaDescription {
  std::string key_store;  // "file" or "pkcs11"
  CertificateSummary root, issuing;
};

// Creates the root and issuing CA (keys and certificates) and terminal-keys.secret (32 random
// bytes, mode 0600, seals generated terminal keys). Throws std::runtime_error when a CA already
// exists in cfg.dir, and std::invalid_argument for unusable settings (a bad subject).
CaDescription init_ca(const KeyStoreConfig& cfg, const CaSettings& s,
                      std::chrono::system_clock::time_point now);

// A new issuing CA key and certificate signed by the root key. The old certificate is kept as
// issuing-<serial>.crt (and, for "file", its key as issuing-<serial>.key) for CRLs of the
// certificates it issued; a running IssuingCa keeps the old key until it is opened again.
CaDescription reissue_issuing_ca(const KeyStoreConfig& cfg, const CaSettings& s,
                                 std::chrono::system_clock::time_point now);

// Reads the certificates only; needs no key or passphrase. Throws when they are missing.
CaDescription describe_ca(const KeyStoreConfig& cfg);

// True when cfg.dir holds a root or issuing CA certificate.
bool ca_exists(const KeyStoreConfig& cfg);

// A summary of a DER certificate (throws std::runtime_error if unreadable).
CertificateSummary summarize_certificate(std::string_view der);
// Human-readable dump like `openssl x509 -text -noout`.
std::string describe_certificate_text(std::string_view der);
// SHA-256 of the bytes, upper-case hex with colons.
std::string sha256_fingerprint(std::string_view der);

}  // namespace onshi::pki
