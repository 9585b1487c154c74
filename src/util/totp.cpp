#include "util/totp.hpp"

#include <liboath/oath.h>

#include <array>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <stdexcept>

#include "util/secrets.hpp"
#include "util/text.hpp"

namespace onshi::util {
namespace {

struct OathInit {
  OathInit() {
    if (oath_init() != OATH_OK) throw std::runtime_error("oath_init failed");
  }
};

void ensure_oath() {
  static const OathInit once;
}

std::string base32(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 0x1f]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 0x1f]);
  return out;
}

std::string decode_secret(std::string_view secret) {
  ensure_oath();
  char* raw = nullptr;
  std::size_t length = 0;
  if (oath_base32_decode(secret.data(), secret.size(), &raw, &length) != OATH_OK) {
    throw std::invalid_argument("malformed TOTP secret");
  }
  std::unique_ptr<char, decltype(&std::free)> owned(raw, &std::free);
  return std::string(raw, length);
}

std::string code_at(const std::string& key, std::int64_t step) {
  std::array<char, 16> out{};
  if (oath_totp_generate2(key.data(), key.size(), static_cast<time_t>(step * kTotpStepSeconds),
                          kTotpStepSeconds, 0, 6, 0, out.data()) != OATH_OK) {
    throw std::runtime_error("oath_totp_generate2 failed");
  }
  return out.data();
}

std::string uri_escape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0f]);
    }
  }
  return out;
}

}  // namespace

std::string new_totp_secret() {
  return base32(random_bytes(20));
}

std::string totp_uri(std::string_view issuer, std::string_view account, std::string_view secret) {
  const std::string i = uri_escape(issuer);
  return "otpauth://totp/" + i + ":" + uri_escape(account) + "?secret=" + std::string(secret) +
         "&issuer=" + i + "&algorithm=SHA1&digits=6&period=30";
}

std::string totp_code(std::string_view secret, std::int64_t unix_seconds) {
  return code_at(decode_secret(secret), unix_seconds / kTotpStepSeconds);
}

std::optional<std::int64_t> totp_match(std::string_view secret, std::string_view code,
                                       std::int64_t unix_seconds) {
  // Staff may type the code with full-width digits or a space in the middle, as apps show it.
  std::string typed;
  for (char c : normalize_code_input(code)) {
    if (c != ' ' && c != '-') typed.push_back(c);
  }
  if (typed.size() != 6) return std::nullopt;
  const std::string key = decode_secret(secret);
  const std::int64_t now_step = unix_seconds / kTotpStepSeconds;
  std::optional<std::int64_t> found;
  for (std::int64_t step = now_step - 1; step <= now_step + 1; ++step) {
    // Every candidate is compared, matched or not, so timing does not tell which step matched.
    if (constant_time_equal(code_at(key, step), typed) && !found) found = step;
  }
  return found;
}

}  // namespace onshi::util
