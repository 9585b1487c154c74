#include "domain/customer_id.hpp"

#include <gtest/gtest.h>
#include "support/error_of.hpp"

namespace onshi::domain {
namespace {

using onshi::test::error_of;

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
  EXPECT_EQ(error_of(CustomerId::parse("")), CustomerIdError::empty);
  EXPECT_EQ(error_of(CustomerId::parse(" - ")), CustomerIdError::empty);
  EXPECT_EQ(error_of(CustomerId::parse("CAF123456789")), CustomerIdError::wrong_length);
  EXPECT_EQ(error_of(CustomerId::parse("CAF12345678901")), CustomerIdError::wrong_length);
  EXPECT_EQ(error_of(CustomerId::parse("COP1234567")), CustomerIdError::wrong_length);
  EXPECT_EQ(error_of(CustomerId::parse("COP1234567890")), CustomerIdError::wrong_length);
  EXPECT_EQ(error_of(CustomerId::parse("CAF12345678O0")), CustomerIdError::wrong_length);
  EXPECT_EQ(error_of(CustomerId::parse("CAX1234567890")), CustomerIdError::unknown_prefix);
  EXPECT_EQ(error_of(CustomerId::parse("1234567890")), CustomerIdError::unknown_prefix);
  EXPECT_EQ(error_of(CustomerId::parse("CAF12345/67890")), CustomerIdError::invalid_characters);
  EXPECT_EQ(error_of(CustomerId::parse("\xff")), CustomerIdError::invalid_characters);
  EXPECT_EQ(error_key(CustomerIdError::unknown_prefix), "customer_id.unknown_prefix");
}

}  // namespace
}  // namespace onshi::domain
