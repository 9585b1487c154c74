// Random tokens, SHA-256, HMAC-SHA-256, constant-time comparison and Argon2id passwords.
#include "util/secrets.hpp"

#include <gtest/gtest.h>

#include <set>

namespace onshi::util {
namespace {

bool is_base64url(const std::string& s) {
  for (const char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

TEST(RandomToken, LengthIsBase64urlOfTheByteCountWithoutPadding) {
  EXPECT_EQ(random_token().size(), 43u);  // 32 bytes
  EXPECT_EQ(random_token(32).size(), 43u);
  EXPECT_EQ(random_token(18).size(), 24u);
  EXPECT_EQ(random_token(9).size(), 12u);
  EXPECT_EQ(random_token(1).size(), 2u);
  EXPECT_EQ(random_token(2).size(), 3u);
  EXPECT_EQ(random_token(0), "");
}

TEST(RandomToken, UsesTheUrlSafeAlphabetOnly) {
  std::set<char> seen;
  for (int i = 0; i < 200; ++i) {
    const auto t = random_token(48);
    ASSERT_TRUE(is_base64url(t)) << t;
    EXPECT_EQ(t.find('='), std::string::npos);
    seen.insert(t.begin(), t.end());
  }
  // 200 × 64 characters: every one of the 64 symbols turns up (failure odds are negligible).
  EXPECT_EQ(seen.size(), 64u);
}

TEST(RandomToken, DoesNotRepeat) {
  std::set<std::string> tokens;
  for (int i = 0; i < 2000; ++i) tokens.insert(random_token(16));
  EXPECT_EQ(tokens.size(), 2000u);
}

TEST(Sha256Hex, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1'000'000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Hex, HashesEmbeddedNulBytes) {
  EXPECT_NE(sha256_hex(std::string("a\0b", 3)), sha256_hex("a"));
  EXPECT_EQ(sha256_hex(std::string("a\0b", 3)).size(), 64u);
}

TEST(HmacSha256, Rfc4231TestCase2) {
  // 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843 in base64url.
  EXPECT_EQ(hmac_sha256_b64("Jefe", "what do ya want for nothing?"),
            "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM");
}

TEST(HmacSha256, EmptyKeyAndMessageAndSensitivity) {
  EXPECT_EQ(hmac_sha256_b64("", ""), "thNnmggU2ex3L5XXeMNfxf8Wl8STcVZTxscSFEKSxa0");
  EXPECT_NE(hmac_sha256_b64("key", "anon:x"), hmac_sha256_b64("key", "session:x"));
  EXPECT_NE(hmac_sha256_b64("key1", "m"), hmac_sha256_b64("key2", "m"));
  EXPECT_EQ(hmac_sha256_b64("key", "m"), hmac_sha256_b64("key", "m"));
}

TEST(ConstantTimeEqual, ComparesContentAndLength) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "bbc"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
  EXPECT_FALSE(constant_time_equal("", "a"));
  EXPECT_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(Passwords, HashVerifyRoundTrip) {
  const auto hash = hash_password("correct horse battery");
  EXPECT_TRUE(hash.starts_with("$argon2id$")) << hash;
  EXPECT_TRUE(verify_password(hash, "correct horse battery"));
  EXPECT_FALSE(verify_password(hash, "correct horse batterY"));
  EXPECT_FALSE(verify_password(hash, "correct horse battery "));
  EXPECT_FALSE(verify_password(hash, ""));
  EXPECT_FALSE(password_needs_rehash(hash));
}

// docs/security.md justifies these against OWASP's minimum (m=19 MiB, t=2, p=1): a change of
// libsodium's INTERACTIVE limits must be seen, not inherited silently.
TEST(Passwords, TheLimitsAreArgon2idWith64MiBTwoPassesOneLane) {
  const auto limits = password_hash_limits();
  EXPECT_EQ(limits.opslimit, 2U);
  EXPECT_EQ(limits.memlimit, 64U * 1024 * 1024);
  const auto hash = hash_password("correct horse battery");
  EXPECT_TRUE(hash.starts_with("$argon2id$v=19$m=65536,t=2,p=1$")) << hash;
}

TEST(Passwords, SaltMakesEveryHashDifferent) {
  const auto a = hash_password("パスワードのテストです");
  const auto b = hash_password("パスワードのテストです");
  EXPECT_NE(a, b);
  EXPECT_TRUE(verify_password(a, "パスワードのテストです"));
  EXPECT_TRUE(verify_password(b, "パスワードのテストです"));
}

TEST(Passwords, GarbageHashesNeverVerify) {
  EXPECT_FALSE(verify_password("", "x"));
  EXPECT_FALSE(verify_password("not a hash", "not a hash"));
  const auto hash = hash_password("correct horse battery");
  EXPECT_FALSE(verify_password(hash.substr(0, hash.size() - 2), "correct horse battery"));
}

}  // namespace
}  // namespace onshi::util

namespace onshi::util {
namespace {

TEST(SealedSecret, RoundTripsAndRefusesTamperingOrAnotherKey) {
  const std::string key = random_bytes(32);
  const std::string sealed = seal_secret(key, "ABCD-EFGH");
  EXPECT_NE(sealed.find("ABCD"), 0u);
  EXPECT_EQ(open_sealed(key, sealed), "ABCD-EFGH");
  EXPECT_NE(seal_secret(key, "ABCD-EFGH"), sealed);  // a fresh nonce each time
  std::string altered = sealed;
  altered[altered.size() / 2] = altered[altered.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(open_sealed(key, altered));
  EXPECT_FALSE(open_sealed(random_bytes(32), sealed));
  EXPECT_FALSE(open_sealed(key, "short"));
}

}  // namespace
}  // namespace onshi::util
