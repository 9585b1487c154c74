#pragma once
// Key algorithms the CPS allows (CPIPCS 6.1.1, 6.1.5) and where the CA keys are kept (6.2.1).
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace onshi::pki {

enum class KeyAlgorithm { ec_p256, ec_p384, rsa_2048, rsa_3072 };

// "ec-p256", "ec-p384", "rsa-2048", "rsa-3072"; nullopt for anything else.
std::optional<KeyAlgorithm> parse_key_algorithm(std::string_view text);
std::string_view key_algorithm_name(KeyAlgorithm algorithm);

// Where the CA keys live. The CA folder always holds the certificates (root.crt, issuing.crt,
// older issuing-<serial>.crt) and terminal-keys.secret; with kind "file" also root.key and
// issuing.key (encrypted PKCS#8). See docs/pki.md.
struct KeyStoreConfig {
  std::string kind = "file";  // "file" or "pkcs11"
  std::filesystem::path dir;
  std::string passphrase;  // "file": one passphrase for root.key and issuing.key
  std::string pkcs11_module = "/usr/lib/softhsm/libsofthsm2.so";
  std::string pkcs11_token_label = "onshi-ca";
  std::string pkcs11_pin;                                                       // user PIN
  std::string pkcs11_engine = "/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so";  // libp11
};

}  // namespace onshi::pki
