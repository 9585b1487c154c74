#pragma once
// Internal to pki/: the files of the CA folder (docs/pki.md).
#include "pki/keys.hpp"
#include "pki/ossl.hpp"

#include <string>

namespace onshi::pki::detail {

inline constexpr const char* kRootCert = "root.crt";
inline constexpr const char* kIssuingCert = "issuing.crt";
inline constexpr const char* kRootKey = "root.key";
inline constexpr const char* kIssuingKey = "issuing.key";
inline constexpr const char* kTerminalSecret = "terminal-keys.secret";
inline constexpr std::size_t kTerminalSecretSize = 32;

// A PEM certificate from the CA folder; throws std::runtime_error when missing or unreadable.
ossl::Cert read_ca_certificate(const KeyStoreConfig& cfg, const char* name);
// The secret that seals generated terminal keys, as the hex passphrase of their PKCS#8.
std::string read_terminal_secret_hex(const KeyStoreConfig& cfg);

}  // namespace onshi::pki::detail
