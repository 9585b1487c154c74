#pragma once
// The online issuing CA: issues terminal certificates, makes terminal keys and PKCS#12 files.
#include "pki/keys.hpp"
#include "pki/server_certificate.hpp"
#include "pki/terminal_profile.hpp"

#include <chrono>
#include <expected>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace onshi::pki {
namespace detail {
struct ImplAccess;
}

struct IssuedCertificate {
  std::string der;
  std::string pem;
  std::string serial_hex;  // from the certificate: lower case, whole octets, no leading zero octet
  std::string subject;     // RFC 2253 one-line, UTF-8 unescaped
  std::chrono::system_clock::time_point not_before, not_after;
  std::string sha256_fingerprint;  // AA:BB:…
  std::string issuer_key_id_hex;   // its authorityKeyIdentifier: which issuing CA signed it
};

// One issuing CA certificate, described: the current one or an earlier one still valid.
struct IssuingCaInfo {
  std::string serial_hex;  // lower case, as in issuing-<serial>.crt
  std::string key_id_hex;  // subjectKeyIdentifier, lower-case hex without colons
  std::string der;
  std::string subject;  // RFC 2253
  std::chrono::system_clock::time_point not_before, not_after;
  bool current = false;
};

// The authorityKeyIdentifier of a DER certificate as lower-case hex; empty when it has none.
// Throws std::runtime_error when the bytes are no certificate.
std::string authority_key_id_hex(std::string_view cert_der);

struct TerminalKey {
  std::string public_key_der;      // SubjectPublicKeyInfo
  std::string sealed_private_key;  // PKCS#8 PEM, AES-256-CBC under terminal-keys.secret; safe to
                                   // store in the database, useless without the CA folder
};

// Opened once at startup. The issuing key never leaves this object. Thread-safe: signing is
// serialized by a process-wide mutex (the PKCS#11 engine is not reentrant); the rest only reads.
class IssuingCa {
 public:
  struct Impl;  // pki/issuing_ca_impl.hpp, for pki/ files only

  // Throws std::runtime_error when the CA is missing, the passphrase is wrong, the token or PIN
  // fails, or the key does not match issuing.crt.
  static std::unique_ptr<IssuingCa> open(const KeyStoreConfig& cfg);
  ~IssuingCa();
  IssuingCa(const IssuingCa&) = delete;
  IssuingCa& operator=(const IssuingCa&) = delete;

  // A terminal certificate per CPIPCS 7.1.1. notAfter = notBefore + profile.validity_months
  // (month-end clamp), capped by the issuing certificate's notAfter. `serial_hex` comes from
  // random_serial_hex(). Throws std::invalid_argument when the subject or key breaks the
  // profile (keys from check_csr or generate_terminal_key never do).
  IssuedCertificate issue(const TerminalSubject& subject, std::string_view public_key_der,
                          const TerminalProfile& profile, const std::string& serial_hex,
                          std::chrono::system_clock::time_point now);

  // A key pair made by the CA for a terminal (CPIPCS 6.1.1), sealed for the database.
  TerminalKey generate_terminal_key(KeyAlgorithm algorithm) const;

  // PKCS#12 for pickup: certificate, key and chain (issuing, root); friendly name = the CN
  // (1310123455-T01). `standard`: PBES2 AES-256-CBC with PBKDF2-HMAC-SHA256, MAC HMAC-SHA256
  // (Windows 10/11, OpenSSL 3 without -legacy, Java 17, NSS). `compatible`: 3DES with SHA-1 and
  // a SHA-1 MAC, for Windows Server 2016 and older terminals that cannot read PBES2. Refuses a
  // password of fewer than 8 characters or one holding NUL. Throws when the sealed key does not
  // open or does not belong to the certificate (a bug or a different CA folder).
  enum class Pkcs12Format { standard, compatible };
  enum class Pkcs12Error { password_short, password_bad };
  static constexpr Pkcs12Error kPkcs12Errors[] = {Pkcs12Error::password_short,
                                                  Pkcs12Error::password_bad};
  // "password_short", …: app/ shows message pkcs12.<name>.
  static std::string_view pkcs12_error_name(Pkcs12Error e);
  std::expected<std::string, Pkcs12Error> make_pkcs12(
      std::string_view cert_der, std::string_view sealed_private_key, std::string_view password,
      Pkcs12Format format = Pkcs12Format::standard) const;

  // The generated key of a certificate as unencrypted PKCS#8 DER (PrivateKeyInfo), for EST
  // /serverkeygen, where TLS protects it on the way (RFC 7030 4.4.2). Throws as make_pkcs12 does
  // when the sealed key does not open or does not belong to the certificate.
  std::string private_key_pkcs8(std::string_view cert_der,
                                std::string_view sealed_private_key) const;

  // The TLS certificate of `onshi serve` itself (server_certificate.hpp), with a new ECDSA P-256
  // key. Refuses an empty list, a DNS name that is no host name and an address that is no IP.
  std::expected<ServerCertificate, ServerNameError> issue_server_certificate(
      const std::vector<std::string>& dns_names, const std::vector<std::string>& ip_addresses,
      std::chrono::system_clock::time_point now);

  // The current issuing CA first, then the earlier ones (issuing-<serial>.crt with its key in
  // the CA folder) whose certificates have not expired, newest first.
  std::vector<IssuingCaInfo> generations() const;

  std::string chain_pem() const;  // issuing then root
  std::string issuing_der() const;
  std::string root_der() const;

 private:
  friend struct detail::ImplAccess;
  explicit IssuingCa(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace onshi::pki
