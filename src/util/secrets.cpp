#include "util/secrets.hpp"

#include <sodium.h>

#include <mutex>
#include <stdexcept>
#include <vector>

namespace onshi::util {
namespace {

void ensure_sodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  });
}

std::string to_b64url(const unsigned char* data, std::size_t size) {
  std::string out(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.find('\0'));
  return out;
}

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string random_bytes(std::size_t count) {
  ensure_sodium();
  std::string buf(count, '\0');
  randombytes_buf(buf.data(), buf.size());
  return buf;
}

std::string random_token(std::size_t bytes) {
  // An empty vector's data() may be null, which randombytes_buf is declared never to get (UBSan).
  if (bytes == 0) return {};
  ensure_sodium();
  std::vector<unsigned char> buf(bytes);
  randombytes_buf(buf.data(), buf.size());
  return to_b64url(buf.data(), buf.size());
}

std::string sha256_hex(std::string_view data) {
  ensure_sodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, bytes_of(data), data.size());
  std::string hex(crypto_hash_sha256_BYTES * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest, sizeof digest);
  hex.pop_back();
  return hex;
}

std::string hmac_sha256_b64(std::string_view key, std::string_view message) {
  ensure_sodium();
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, bytes_of(key), key.size());
  crypto_auth_hmacsha256_update(&state, bytes_of(message), message.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  return to_b64url(mac, sizeof mac);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

PasswordHashLimits password_hash_limits() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

std::string hash_password(std::string_view password) {
  ensure_sodium();
  const auto limits = password_hash_limits();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), limits.opslimit, limits.memlimit) !=
      0) {
    throw std::runtime_error("out of memory while hashing a password");
  }
  return std::string(out);
}

bool verify_password(std::string_view encoded_hash, std::string_view password) {
  ensure_sodium();
  const std::string hash(encoded_hash);  // crypto_pwhash_str_verify wants a NUL-terminated string
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool password_needs_rehash(std::string_view encoded_hash) {
  ensure_sodium();
  const std::string hash(encoded_hash);
  const auto limits = password_hash_limits();
  return crypto_pwhash_str_needs_rehash(hash.c_str(), limits.opslimit, limits.memlimit) != 0;
}

}  // namespace onshi::util

namespace onshi::util {

std::string seal_secret(std::string_view key, std::string_view plaintext) {
  ensure_sodium();
  if (key.size() != crypto_secretbox_KEYBYTES) throw std::invalid_argument("seal key size");
  std::vector<unsigned char> box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
                                 plaintext.size());
  unsigned char* nonce = box.data();
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(box.data() + crypto_secretbox_NONCEBYTES, bytes_of(plaintext),
                        plaintext.size(), nonce, bytes_of(key));
  return to_b64url(box.data(), box.size());
}

std::optional<std::string> open_sealed(std::string_view key, std::string_view sealed) {
  ensure_sodium();
  if (key.size() != crypto_secretbox_KEYBYTES) throw std::invalid_argument("seal key size");
  std::vector<unsigned char> box(sealed.size());
  std::size_t length = 0;
  if (sodium_base642bin(box.data(), box.size(), sealed.data(), sealed.size(), nullptr, &length,
                        nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      length < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return std::nullopt;
  }
  std::string plain(length - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(
          reinterpret_cast<unsigned char*>(plain.data()), box.data() + crypto_secretbox_NONCEBYTES,
          length - crypto_secretbox_NONCEBYTES, box.data(), bytes_of(key)) != 0) {
    return std::nullopt;
  }
  return plain;
}

}  // namespace onshi::util
