#include "util/totp.hpp"

#include <gtest/gtest.h>

namespace onshi::util {
namespace {

// RFC 6238 appendix B: the SHA-1 secret "12345678901234567890" in base32.
constexpr std::string_view kRfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

TEST(Totp, MatchesRfc6238TestVectors) {
  // The RFC lists 8-digit codes; the 6-digit code is their last six digits.
  EXPECT_EQ(totp_code(kRfcSecret, 59), "287082");
  EXPECT_EQ(totp_code(kRfcSecret, 1111111109), "081804");
  EXPECT_EQ(totp_code(kRfcSecret, 1234567890), "005924");
  EXPECT_EQ(totp_code(kRfcSecret, 2000000000), "279037");
}

TEST(Totp, AcceptsOneStepOfDriftAndReturnsTheStep) {
  const std::int64_t now = 1'800'000'000;
  const auto previous = totp_code(kRfcSecret, now - 30);
  const auto next = totp_code(kRfcSecret, now + 30);
  EXPECT_EQ(totp_match(kRfcSecret, totp_code(kRfcSecret, now), now), now / 30);
  EXPECT_EQ(totp_match(kRfcSecret, previous, now), now / 30 - 1);
  EXPECT_EQ(totp_match(kRfcSecret, next, now), now / 30 + 1);
  EXPECT_FALSE(totp_match(kRfcSecret, totp_code(kRfcSecret, now - 90), now));
}

TEST(Totp, AcceptsFullWidthDigitsAndSpaces) {
  const std::int64_t now = 59;  // code 287082
  EXPECT_TRUE(totp_match(kRfcSecret, "２８７０８２", now));
  EXPECT_TRUE(totp_match(kRfcSecret, " 287 082 ", now));
  EXPECT_FALSE(totp_match(kRfcSecret, "28708", now));
  EXPECT_FALSE(totp_match(kRfcSecret, "", now));
  EXPECT_FALSE(totp_match(kRfcSecret, "287083", now));
}

TEST(Totp, NewSecretsAreDistinctBase32Of160Bits) {
  const auto a = new_totp_secret();
  const auto b = new_totp_secret();
  EXPECT_EQ(a.size(), 32u);  // 160 bits / 5
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), std::string::npos);
  EXPECT_EQ(totp_code(a, 1000).size(), 6u);
}

TEST(Totp, UriCarriesIssuerAccountAndSecret) {
  EXPECT_EQ(totp_uri("onshi 運営", "sato", "ABC"),
            "otpauth://totp/onshi%20%E9%81%8B%E5%96%B6:sato?secret=ABC&issuer=onshi%20%E9%81%8B%E5%"
            "96%B6&algorithm=SHA1&digits=6&period=30");
}

}  // namespace
}  // namespace onshi::util
