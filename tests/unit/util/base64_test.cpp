// Standard base64 as EST bodies carry it: RFC 4648's test vectors, line breaks, and refusals.
#include "util/base64.hpp"

#include <gtest/gtest.h>

namespace onshi::util {
namespace {

TEST(Base64, Rfc4648TestVectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(base64_decode("Zm9vYg=="), "foob");
}

TEST(Base64, LinesHoldWholeGroupsAndEndWithTheGivenBreak) {
  const std::string bytes(100, '\xff');
  const std::string lines = base64_encode(bytes, 64);
  // 100 bytes: 48 per line of 64 characters, then 4 bytes as "////" plus "/w==".
  EXPECT_EQ(lines, std::string(64, '/')
                       .append("\n")
                       .append(std::string(64, '/'))
                       .append("\n")
                       .append("/////w==\n"));
  EXPECT_EQ(base64_encode("foobar", 4, "\r\n"), "Zm9v\r\nYmFy\r\n");
  EXPECT_THROW(base64_encode("foobar", 6), std::invalid_argument);
}

TEST(Base64, DecodingIgnoresLineBreaksAndSpacesOnly) {
  const std::string bytes =
      "\x30\x82\x01\x00 binary \x00\xff"
      "and more than one line of it, so that it wraps";
  EXPECT_EQ(base64_decode(base64_encode(bytes, 64)), bytes);
  EXPECT_EQ(base64_decode(base64_encode(bytes, 8, "\r\n")), bytes);
  EXPECT_EQ(base64_decode("  Zm9v\r\n\tYmFy \n"), "foobar");
  // Another alphabet, PEM armour, a missing pad, bytes after the pad, nothing at all.
  EXPECT_EQ(base64_decode("Zm9v-_"), std::nullopt);
  EXPECT_EQ(base64_decode("-----BEGIN CERTIFICATE REQUEST-----\nZm9v\n"), std::nullopt);
  EXPECT_EQ(base64_decode("Zm9vYg="), std::nullopt);
  EXPECT_EQ(base64_decode("Zm9vYg==Zm9v"), std::nullopt);
  EXPECT_EQ(base64_decode("Zm9v!"), std::nullopt);
  EXPECT_EQ(base64_decode(""), std::nullopt);
  EXPECT_EQ(base64_decode(" \r\n"), std::nullopt);
  EXPECT_EQ(base64_decode(std::string_view("Zm9v\0", 5)), std::nullopt);
}

}  // namespace
}  // namespace onshi::util
