#pragma once
// Time-based one-time passwords (RFC 6238: HMAC-SHA-1, 30-second steps, 6 digits), the second
// factor of operators. The defaults are the ones every authenticator app understands.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace onshi::util {

// A new shared secret: 20 random bytes (RFC 4226's recommended length), base32 without padding.
std::string new_totp_secret();

// The provisioning URI authenticator apps read from a QR code:
// otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
std::string totp_uri(std::string_view issuer, std::string_view account, std::string_view secret);

// The 6-digit code for the time step containing `unix_seconds`. Throws on a malformed secret.
std::string totp_code(std::string_view secret, std::int64_t unix_seconds);

// The time step (unix_seconds / 30) whose code equals `code`, looking one step either side of
// now for clock drift; nothing when none matches. The caller refuses a step it has seen before,
// so a code cannot be replayed.
std::optional<std::int64_t> totp_match(std::string_view secret, std::string_view code,
                                       std::int64_t unix_seconds);

inline constexpr std::int64_t kTotpStepSeconds = 30;

}  // namespace onshi::util
