#pragma once
// Internal to pki/: CA keys in the two key stores of CPIPCS 6.2.1, and the PKCS#8 sealing that
// both the "file" store and generated terminal keys use.
#include "pki/keys.hpp"
#include "pki/ossl.hpp"

#include <string>
#include <string_view>

namespace onshi::pki::detail {

// Encrypted PKCS#8 PEM (PBES2, AES-256-CBC). `strong_kdf` picks scrypt (CA keys, whose passphrase
// a person chose) over PBKDF2-HMAC-SHA256 with few rounds (keys sealed under a random secret).
std::string encrypt_private_key(EVP_PKEY* key, std::string_view passphrase, bool strong_kdf);
// nullptr when the passphrase is wrong or the PEM unreadable.
ossl::Pkey decrypt_private_key(std::string_view pem, std::string_view passphrase);

struct NewCaKey {
  ossl::Pkey signing;         // signs certificates (a token handle for "pkcs11")
  ossl::Pkey public_key;      // goes into the certificate
  std::string encrypted_pem;  // "file" only: the caller writes it once the certificate is made
};

// Throws std::runtime_error for an unknown kind or a "file" store without passphrase.
void check_key_store(const KeyStoreConfig& cfg);

// `token_label` names the PKCS#11 objects ("onshi-root", "onshi-issuing"); the store finds keys
// by CKA_ID, the certificate's key identifier, so the label is for people only.
NewCaKey create_ca_key(const KeyStoreConfig& cfg, const std::string& token_label,
                       KeyAlgorithm algorithm);

// The private key of `cert`: cfg.dir/`file_name` for "file", the token object whose CKA_ID is the
// key identifier of the certificate's public key for "pkcs11". Throws std::runtime_error with a
// clear message on a wrong passphrase or PIN, a missing key, or a key that does not match.
ossl::Pkey load_ca_key(const KeyStoreConfig& cfg, const std::string& file_name, const X509* cert);

// PKCS#11 internals (pkcs11_token.cpp, pkcs11_engine.cpp).
// Generates a key pair in the token (CKA_SENSITIVE, not extractable) whose CKA_ID is the key
// identifier of its public key, and returns that public key.
ossl::Pkey token_generate_key_pair(const KeyStoreConfig& cfg, const std::string& label,
                                   KeyAlgorithm algorithm);
// A handle to the private key with CKA_ID `id`, through the libp11 engine.
ossl::Pkey token_private_key(const KeyStoreConfig& cfg, std::string_view id);

}  // namespace onshi::pki::detail
