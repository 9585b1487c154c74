#include "pki/serial.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace {

TEST(Serial, ManyDrawsAreUniquePositiveAndFitTwentyOctets) {
  std::set<std::string> seen;
  int top_nibble_high = 0;
  for (int i = 0; i < 5000; ++i) {
    const std::string s = onshi::pki::random_serial_hex();
    ASSERT_EQ(s.size(), 32u) << s;
    ASSERT_EQ(s.find_first_not_of("0123456789abcdef"), std::string::npos) << s;
    // Top bit clear: positive without a sign byte, 16 octets at most in DER.
    ASSERT_LT(std::stoi(s.substr(0, 1), nullptr, 16), 8) << s;
    // Top octet non-zero: the certificate's serial keeps all 32 digits.
    ASSERT_NE(s.substr(0, 2), "00") << s;
    if (std::stoi(s.substr(0, 1), nullptr, 16) >= 4) ++top_nibble_high;
    ASSERT_TRUE(seen.insert(s).second) << "duplicate " << s;
  }
  // 127 random bits: about half of the draws have the second-highest bit set.
  EXPECT_GT(top_nibble_high, 2000);
  EXPECT_LT(top_nibble_high, 3000);
}

}  // namespace
