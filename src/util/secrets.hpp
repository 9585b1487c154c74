#pragma once
// Random tokens and keyed hashes for sessions, CSRF and e-mailed links (libsodium, not OpenSSL:
// OpenSSL belongs to pki/).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace onshi::util {

// `count` raw random bytes from the OS CSPRNG.
std::string random_bytes(std::size_t count);

// `bytes` random bytes from the OS CSPRNG, base64url without padding.
std::string random_token(std::size_t bytes = 32);

// SHA-256 of the input, lower-case hex. Tokens are stored this way so a database leak
// does not hand out live sessions or links.
std::string sha256_hex(std::string_view data);

// HMAC-SHA-256(key, message), base64url without padding.
std::string hmac_sha256_b64(std::string_view key, std::string_view message);

// Comparison whose time does not depend on where the inputs differ.
bool constant_time_equal(std::string_view a, std::string_view b);

// Authenticated encryption (XSalsa20-Poly1305) under a 32-byte key, base64url text: for secrets
// that must be shown once later (pickup codes until their letter is printed).
std::string seal_secret(std::string_view key, std::string_view plaintext);
// Nothing when the text was not sealed under this key or was altered.
std::optional<std::string> open_sealed(std::string_view key, std::string_view sealed);

// The Argon2id limits hash_password uses and password_needs_rehash asks for: libsodium's
// INTERACTIVE ones (docs/security.md says why they are enough). Exposed for the benchmark that
// measures crypto_pwhash_str alone beside the login that uses it (bench/app_bench.cpp).
struct PasswordHashLimits {
  unsigned long long opslimit;
  std::size_t memlimit;  // bytes
};
PasswordHashLimits password_hash_limits();

// Argon2id (crypto_pwhash_str, interactive limits). Returns the encoded hash string.
std::string hash_password(std::string_view password);
bool verify_password(std::string_view encoded_hash, std::string_view password);
// True when the hash was made with weaker limits than today's and should be redone at login.
bool password_needs_rehash(std::string_view encoded_hash);

}  // namespace onshi::util
