#pragma once
// What a terminal holds: its certificate, its private key and the CA certificates that came with
// them, opened from the PKCS#12 file of the pickup (either format of IssuingCa::make_pkcs12, or a
// file another tool wrote) or from PEM files. For `onshi terminal check`, which a vendor runs on
// the terminal before trusting that it will connect.
#include <cstddef>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace onshi::pki {

// Files a terminal holds are a few kilobytes; anything far larger is not one of them.
inline constexpr std::size_t kMaxCredentialFileBytes = 1024 * 1024;

enum class CredentialsError {
  too_large,               // more than kMaxCredentialFileBytes
  not_pkcs12,              // the bytes are no PKCS#12 (DER)
  wrong_password,          // the MAC (or, without one, the decryption) fails with this password
  password_needed,         // an encrypted PEM key and no password
  unsupported_algorithm,   // the password is right but a cipher is one OpenSSL cannot use here
  no_key,                  // the file holds no private key
  no_certificate,          // the file holds no certificate (or only CA certificates)
  unreadable_certificate,  // PEM/DER that is no certificate
  unreadable_key,          // PEM that is no private key
};
inline constexpr CredentialsError kCredentialsErrors[] = {
    CredentialsError::too_large,
    CredentialsError::not_pkcs12,
    CredentialsError::wrong_password,
    CredentialsError::password_needed,
    CredentialsError::unsupported_algorithm,
    CredentialsError::no_key,
    CredentialsError::no_certificate,
    CredentialsError::unreadable_certificate,
    CredentialsError::unreadable_key,
};
// "wrong_password", …: stable names for --json and message keys.
std::string_view credentials_error_name(CredentialsError e);

struct TerminalCredentials {
  std::string cert_der;  // the terminal's own certificate
  std::string cert_pem;
  // The other certificates of the file (for a pickup file: the issuing CA, then the root), in the
  // file's order, DER. Untrusted: only --ca decides what is trusted.
  std::vector<std::string> chain_der;
  // The private key as unencrypted PKCS#8 PEM: for the mutual-TLS request of the check, held in
  // memory only, never written anywhere.
  std::string key_pem;
  std::string key_description;  // "ECDSA P-256", "RSA 2048"
  bool key_matches = false;     // the key is the certificate's (EVP_PKEY_eq on the public keys)
  std::string friendly_name;    // PKCS#12 friendlyName of the certificate, when there is one
};

// A PKCS#12 file (DER) and its password (UTF-8, as Windows and OpenSSL encode it). Files with
// PBES2/AES (OpenSSL 3's default, the pickup's 標準) and with the PKCS#12 PBEs of older tools
// (3DES, RC2-40 and SHA-1: the pickup's 互換 and `openssl pkcs12 -export -legacy`) both open; the
// legacy provider is loaded the first time a file needs it. A file whose key matches none of its
// certificates opens with the first end-entity certificate and key_matches false.
std::expected<TerminalCredentials, CredentialsError> open_pkcs12(std::string_view der,
                                                                 std::string_view password);

// A certificate file (PEM, the terminal's own first and then any chain; or one DER certificate)
// and a key file (PEM: PKCS#8, traditional or encrypted PKCS#8; `password` opens an encrypted one).
std::expected<TerminalCredentials, CredentialsError> open_pem(std::string_view cert_file_bytes,
                                                              std::string_view key_file_bytes,
                                                              std::string_view password = {});

// DER certificates as one PEM text, in order (what an HTTPS client sends as its chain).
std::string certificates_pem(const std::vector<std::string>& der);
// The certificates of the PEM blocks in `pem`, DER, at most 32; what is no certificate is left out.
std::vector<std::string> certificates_der(std::string_view pem);

}  // namespace onshi::pki
