// The QR encoder (libqrencode behind letters/qr_code.hpp) against the QR specification's fixed
// patterns; notice_letter_test.cpp reads the printed symbol back from the rendered page.
#include "letters/qr_code.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace onshi::letters {
namespace {

bool finder_at(const QrCode& qr, int x0, int y0) {
  for (int y = 0; y < 7; ++y) {
    for (int x = 0; x < 7; ++x) {
      const bool ring = x == 0 || y == 0 || x == 6 || y == 6;
      const bool centre = x >= 2 && x <= 4 && y >= 2 && y <= 4;
      if (qr.dark(x0 + x, y0 + y) != (ring || centre)) return false;
    }
  }
  return true;
}

TEST(QrCode, MatrixHasTheFixedPatternsOfItsVersion) {
  const QrCode qr = encode_qr("https://portal.example.jp/pickup?n=C-00000123-01");
  // 48 bytes at level M need version 4 (version 3 holds 42).
  EXPECT_EQ(qr.version, 4);
  ASSERT_EQ(qr.size, 17 + 4 * qr.version);
  ASSERT_EQ(qr.modules.size(), static_cast<std::size_t>(qr.size * qr.size));
  EXPECT_TRUE(finder_at(qr, 0, 0));
  EXPECT_TRUE(finder_at(qr, qr.size - 7, 0));
  EXPECT_TRUE(finder_at(qr, 0, qr.size - 7));
  EXPECT_FALSE(finder_at(qr, qr.size - 7, qr.size - 7));
  for (int i = 8; i < qr.size - 8; ++i) {  // timing patterns
    EXPECT_EQ(qr.dark(i, 6), i % 2 == 0) << "row 6, x " << i;
    EXPECT_EQ(qr.dark(6, i), i % 2 == 0) << "column 6, y " << i;
  }
  EXPECT_TRUE(qr.dark(8, qr.size - 8));  // the dark module
  // Longer text, larger symbol.
  EXPECT_GT(encode_qr(std::string(200, 'a')).version, qr.version);
}

TEST(QrCode, RunsCoverExactlyTheDarkModules) {
  const QrCode qr = encode_qr("https://portal.example.jp/pickup?n=C-00000124-07");
  std::vector<std::uint8_t> painted(qr.modules.size(), 0);
  for (const QrRun& run : dark_runs(qr)) {
    ASSERT_GT(run.length, 0);
    for (int x = run.x; x < run.x + run.length; ++x) {
      ++painted[static_cast<std::size_t>(run.y * qr.size + x)];
    }
  }
  EXPECT_EQ(painted, qr.modules);
}

TEST(QrCode, RejectsWhatItCannotEncode) {
  EXPECT_THROW(encode_qr(""), std::invalid_argument);
  EXPECT_THROW(encode_qr(std::string("a\0b", 3)), std::invalid_argument);
  EXPECT_THROW(encode_qr(std::string(5000, 'a')), std::runtime_error);  // beyond version 40
}

}  // namespace
}  // namespace onshi::letters
