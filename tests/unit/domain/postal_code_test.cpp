#include "domain/postal_code.hpp"

#include <gtest/gtest.h>

#include <string>
#include "support/error_of.hpp"

namespace onshi::domain {
namespace {

using onshi::test::error_of;

std::string repeat(std::string_view piece, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += piece;
  return out;
}

TEST(PostalCode, AcceptsTheUsualWaysOfTypingIt) {
  const auto ginza = PostalCode::parse("104-0061").value();
  EXPECT_EQ(ginza.digits(), "1040061");
  EXPECT_EQ(ginza.display(), "104-0061");
  for (const char* typed :
       {"1040061", "104 0061", "104 - 0061", " 104-0061 ", "〒104-0061", "〒 104-0061",
        "〒１０４－００６１", "１０４ー００６１", "１０４−００６１", "104‐0061", "104ｰ0061",
        "１０４　００６１", "〶104-0061", "〒1040061"}) {
    auto code = PostalCode::parse(typed);
    ASSERT_TRUE(code.has_value()) << typed;
    EXPECT_EQ(code->digits(), "1040061") << typed;
  }
  EXPECT_EQ(PostalCode::parse("060-0001")->display(), "060-0001");  // a leading 0 is kept
  EXPECT_EQ(PostalCode::parse("0600001"), PostalCode::parse("〒060-0001"));
}

TEST(PostalCode, RequiresSomething) {
  EXPECT_EQ(error_of(PostalCode::parse("")), PostalCodeError::required);
  EXPECT_EQ(error_of(PostalCode::parse("   ")), PostalCodeError::required);
  EXPECT_EQ(error_of(PostalCode::parse("　")), PostalCodeError::required);
  EXPECT_EQ(error_of(PostalCode::parse("〒")), PostalCodeError::required);
  EXPECT_EQ(error_of(PostalCode::parse(" 〒 ")), PostalCodeError::required);
}

TEST(PostalCode, RefusesAnythingButSevenDigitsSplitThreeFour) {
  for (const char* typed :
       {"104006",    "104-006",      "10400610",  "104-00610", "１０４－００６", "104--0061-",
        "1-040061",  "1040-061",     "104-00-61", "104 00 61", "-1040061",       "1040061-",
        "104_0061",  "104.0061",     "ABC-DEFG",  "104-006l",  "〒〒104-0061",   "104-0061 東京都",
        "104\t0061", "+81 104-0061", "\xe5\xb1"}) {
    auto code = PostalCode::parse(typed);
    ASSERT_FALSE(code.has_value()) << typed;
    EXPECT_EQ(error_of(code), PostalCodeError::format) << typed;
  }
}

TEST(PostalCodeError, KeysAreStable) {
  EXPECT_EQ(error_key(PostalCodeError::required), "postal_code.required");
  EXPECT_EQ(error_key(PostalCodeError::format), "postal_code.format");
}

TEST(ParseAddressLine, NormalisesAndTrims) {
  EXPECT_EQ(parse_address_line("  銀座１－２－３　オンシビル５Ｆ　").value(),
            "銀座1-2-3 オンシビル5F");
  EXPECT_EQ(parse_address_line("ﾆｼｼﾝｼﾞｭｸ2丁目8番1号").value(), "ニシシンジュク2丁目8番1号");
  EXPECT_EQ(parse_address_line("大通西1丁目\n").value(), "大通西1丁目");
  // ー in a building name is a long vowel mark, not a hyphen: it stays.
  EXPECT_EQ(parse_address_line("本町1-1 センタービル").value(), "本町1-1 センタービル");
}

TEST(ParseAddressLine, LengthBoundaryCountsCodePoints) {
  EXPECT_TRUE(parse_address_line("1").has_value());
  EXPECT_TRUE(parse_address_line(repeat("町", 100)).has_value());
  EXPECT_EQ(error_of(parse_address_line(repeat("町", 101))), AddressLineError::too_long);
  EXPECT_EQ(error_of(parse_address_line(repeat("１", 101))), AddressLineError::too_long);
}

TEST(ParseAddressLine, RejectsEmptyAndControlCharacters) {
  EXPECT_EQ(error_of(parse_address_line("")), AddressLineError::required);
  EXPECT_EQ(error_of(parse_address_line(" 　 ")), AddressLineError::required);
  EXPECT_EQ(error_of(parse_address_line("銀座1\n2-3")), AddressLineError::control_characters);
  EXPECT_EQ(error_of(parse_address_line("銀座\t1-2-3")), AddressLineError::control_characters);
  EXPECT_EQ(error_of(parse_address_line("銀座\x7f")), AddressLineError::control_characters);
  EXPECT_EQ(error_of(parse_address_line("\xe5\xb1")), AddressLineError::control_characters);
}

TEST(AddressLineError, KeysAreStable) {
  EXPECT_EQ(error_key(AddressLineError::required), "address_line.required");
  EXPECT_EQ(error_key(AddressLineError::too_long), "address_line.too_long");
  EXPECT_EQ(error_key(AddressLineError::control_characters), "address_line.control_characters");
}

}  // namespace
}  // namespace onshi::domain
