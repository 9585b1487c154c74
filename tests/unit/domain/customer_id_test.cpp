#include "domain/customer_id.hpp"

#include <gtest/gtest.h>

namespace onshi::domain {
namespace {

TEST(CustomerId, NttEastIsCafAndTenDigits) {
  auto id = CustomerId::parse("CAF1234567890");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->value(), "CAF1234567890");
  EXPECT_EQ(id->value().size(), 13U);
  EXPECT_EQ(id->carrier(), LineCarrier::ntt_east);
}

TEST(CustomerId, NttWestIsCopAndEightDigits) {
  auto id = CustomerId::parse("COP12345678");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->carrier(), LineCarrier::ntt_west);
}

TEST(CustomerId, NormalisesFullWidthCaseSpacesAndHyphens) {
  for (auto typed : {"ＣＡＦ１２３４５６７８９０", "caf1234567890", "CAF-1234-5678-90",
                     " CAF 1234567890 ", "ＣＡＦー１２３４５６７８９０", "Caf　1234567890"}) {
    auto id = CustomerId::parse(typed);
    ASSERT_TRUE(id.has_value()) << typed;
    EXPECT_EQ(id->value(), "CAF1234567890") << typed;
  }
  EXPECT_EQ(CustomerId::parse("ｃｏｐ１２３４５６７８")->value(), "COP12345678");
}

TEST(CustomerId, RejectsWrongShapes) {
  EXPECT_EQ(CustomerId::parse("").error(), CustomerIdError::empty);
  EXPECT_EQ(CustomerId::parse(" - ").error(), CustomerIdError::empty);
  EXPECT_EQ(CustomerId::parse("CAF123456789").error(), CustomerIdError::wrong_length);
  EXPECT_EQ(CustomerId::parse("CAF12345678901").error(), CustomerIdError::wrong_length);
  EXPECT_EQ(CustomerId::parse("COP1234567").error(), CustomerIdError::wrong_length);
  EXPECT_EQ(CustomerId::parse("COP1234567890").error(), CustomerIdError::wrong_length);
  EXPECT_EQ(CustomerId::parse("CAF12345678O0").error(), CustomerIdError::wrong_length);
  EXPECT_EQ(CustomerId::parse("CAX1234567890").error(), CustomerIdError::unknown_prefix);
  EXPECT_EQ(CustomerId::parse("1234567890").error(), CustomerIdError::unknown_prefix);
  EXPECT_EQ(CustomerId::parse("CAF12345/67890").error(), CustomerIdError::invalid_characters);
  EXPECT_EQ(CustomerId::parse("\xff").error(), CustomerIdError::invalid_characters);
  EXPECT_EQ(error_key(CustomerIdError::unknown_prefix), "customer_id.unknown_prefix");
}

}  // namespace
}  // namespace onshi::domain
