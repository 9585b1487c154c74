#include "domain/phone_number.hpp"

#include <gtest/gtest.h>
#include "support/error_of.hpp"

namespace onshi::domain {
namespace {

using onshi::test::error_of;

TEST(PhoneNumber, FixedLinesKeepTheTypedGrouping) {
  auto tokyo = PhoneNumber::parse("03-1234-5678").value();
  EXPECT_EQ(tokyo.digits(), "0312345678");
  EXPECT_EQ(tokyo.kind(), PhoneKind::fixed);
  EXPECT_EQ(tokyo.formatted(), "03-1234-5678");
  EXPECT_EQ(PhoneNumber::parse("(0123) 45-6789")->formatted(), "0123-45-6789");
  EXPECT_EQ(PhoneNumber::parse("01267-2-3456")->formatted(), "01267-2-3456");
  EXPECT_EQ(PhoneNumber::parse("0312345678")->formatted(), "0312345678");
  EXPECT_EQ(PhoneNumber::parse("０３ー１２３４ー５６７８")->digits(), "0312345678");
}

TEST(PhoneNumber, MobileIpAndSpecialNumbers) {
  auto mobile = PhoneNumber::parse("09012345678").value();
  EXPECT_EQ(mobile.kind(), PhoneKind::mobile);
  EXPECT_EQ(mobile.formatted(), "090-1234-5678");
  EXPECT_EQ(PhoneNumber::parse("070 1234 5678")->kind(), PhoneKind::mobile);
  EXPECT_EQ(PhoneNumber::parse("080-1234-5678")->kind(), PhoneKind::mobile);
  EXPECT_EQ(PhoneNumber::parse("050-1234-5678")->kind(), PhoneKind::ip_phone);
  EXPECT_EQ(PhoneNumber::parse("0120-123-456")->formatted(), "0120-123-456");
  EXPECT_EQ(PhoneNumber::parse("08001234567")->formatted(), "0800-123-4567");
  EXPECT_EQ(PhoneNumber::parse("0570123456")->kind(), PhoneKind::navi_dial);
}

TEST(PhoneNumber, RejectsBadNumbers) {
  EXPECT_EQ(error_of(PhoneNumber::parse("")), PhoneNumberError::empty);
  EXPECT_EQ(error_of(PhoneNumber::parse("03-1234-567")), PhoneNumberError::wrong_length);
  EXPECT_EQ(error_of(PhoneNumber::parse("03-1234-56789")), PhoneNumberError::wrong_length);
  EXPECT_EQ(error_of(PhoneNumber::parse("090-1234-567")), PhoneNumberError::wrong_length);
  EXPECT_EQ(error_of(PhoneNumber::parse("0120-123-4567")), PhoneNumberError::wrong_length);
  EXPECT_EQ(error_of(PhoneNumber::parse("+81-3-1234-5678")), PhoneNumberError::invalid_characters);
  EXPECT_EQ(error_of(PhoneNumber::parse("81312345678")), PhoneNumberError::not_domestic);
  EXPECT_EQ(error_of(PhoneNumber::parse("110")), PhoneNumberError::not_domestic);
  EXPECT_EQ(error_of(PhoneNumber::parse("020-1234-5678")), PhoneNumberError::unsupported_prefix);
  EXPECT_EQ(error_of(PhoneNumber::parse("0031234567")), PhoneNumberError::unsupported_prefix);
  EXPECT_EQ(error_of(PhoneNumber::parse("0990-123-456")), PhoneNumberError::unsupported_prefix);
  EXPECT_EQ(error_of(PhoneNumber::parse("03-1234-5678 内線2")),
            PhoneNumberError::invalid_characters);
  EXPECT_EQ(error_key(PhoneNumberError::wrong_length), "phone_number.wrong_length");
}

// Found by tests/fuzz/normalisers_fuzz.cpp: the groups of a mobile or special number were cut
// out before its length was checked, so "050" alone threw std::out_of_range (a 500 on the form).
TEST(PhoneNumber, ThePrefixOfAGroupedNumberAloneIsTooShort) {
  for (const char* typed : {"050", "0--5-0--", "090", "0800", "0120", "0570-1", "080-12"}) {
    EXPECT_EQ(error_of(PhoneNumber::parse(typed)), PhoneNumberError::wrong_length) << typed;
  }
}

}  // namespace
}  // namespace onshi::domain
