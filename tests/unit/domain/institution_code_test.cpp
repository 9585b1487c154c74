#include "domain/institution_code.hpp"

#include <gtest/gtest.h>
#include "support/error_of.hpp"

namespace onshi::domain {
namespace {

using onshi::test::error_of;

TEST(InstitutionCheckDigit, MatchesTheDomainExample) {
  // 01 2345: 5*2=10 -> 1, 4*1=4, 3*2=6, 2*1=2, 1*2=2, 0*1=0; sum 15; 10 - 5 = 5.
  EXPECT_EQ(institution_check_digit("012345"), 5);
}

TEST(InstitutionCheckDigit, ZeroWhenTheSumEndsInZero) {
  EXPECT_EQ(institution_check_digit("000000"), 0);
  // 000055: 5*2=10 -> 1, 5*1=5 ... sum 6 -> 4; 000019: 9*2=18 -> 9, 1 -> 10 -> 0.
  EXPECT_EQ(institution_check_digit("000019"), 0);
  EXPECT_EQ(institution_check_digit("000055"), 4);
}

TEST(InstitutionCode, ParsesTheTenDigitExample) {
  auto code = InstitutionCode::parse("1310123455");
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(code->digits(), "1310123455");
  EXPECT_EQ(code->formatted(), "13-1-0123455");
  EXPECT_EQ(code->prefecture(), 13);
  EXPECT_EQ(code->score_table(), 1);
  EXPECT_EQ(code->score_table_kind(), ScoreTable::medical);
  EXPECT_EQ(code->code7(), "0123455");
}

TEST(InstitutionCode, AcceptsFullWidthDigitsSpacesAndHyphens) {
  for (const char* typed :
       {"１３１０１２３４５５", "13-1-0123455", "１３ー１ー０１２３４５５", "  13 1 01 2345 5  ",
        "13−1−01‐2345–5", "１３　１　０１２３４５５", "13ｰ1ｰ0123455"}) {
    auto code = InstitutionCode::parse(typed);
    ASSERT_TRUE(code.has_value()) << typed;
    EXPECT_EQ(code->digits(), "1310123455") << typed;
  }
}

TEST(InstitutionCode, AcceptsEveryKnownScoreTable) {
  for (char table : {'1', '3', '4', '6'}) {
    std::string typed = "13";
    typed += table;
    typed += "0123455";
    EXPECT_TRUE(InstitutionCode::parse(typed).has_value()) << typed;
  }
}

TEST(InstitutionCode, RejectsUnknownScoreTables) {
  for (char table : {'0', '2', '5', '7', '8', '9'}) {
    std::string typed = "13";
    typed += table;
    typed += "0123455";
    EXPECT_EQ(error_of(InstitutionCode::parse(typed)), InstitutionCodeError::unknown_score_table);
  }
}

TEST(InstitutionCode, PrefectureBoundaries) {
  EXPECT_TRUE(InstitutionCode::parse("0110123455").has_value());
  EXPECT_TRUE(InstitutionCode::parse("4710123455").has_value());
  EXPECT_EQ(error_of(InstitutionCode::parse("0010123455")),
            InstitutionCodeError::unknown_prefecture);
  EXPECT_EQ(error_of(InstitutionCode::parse("4810123455")),
            InstitutionCodeError::unknown_prefecture);
  EXPECT_EQ(error_of(InstitutionCode::parse("9910123455")),
            InstitutionCodeError::unknown_prefecture);
}

TEST(InstitutionCode, RejectsAWrongCheckDigit) {
  for (char last = '0'; last <= '9'; ++last) {
    if (last == '5') continue;
    std::string typed = "131012345";
    typed += last;
    EXPECT_EQ(error_of(InstitutionCode::parse(typed)), InstitutionCodeError::check_digit) << typed;
  }
  // A swap of two neighbouring digits is caught by the weights.
  EXPECT_EQ(error_of(InstitutionCode::parse("1310213455")), InstitutionCodeError::check_digit);
}

TEST(InstitutionCode, RejectsBadShapes) {
  EXPECT_EQ(error_of(InstitutionCode::parse("")), InstitutionCodeError::empty);
  EXPECT_EQ(error_of(InstitutionCode::parse("  - ー ")), InstitutionCodeError::empty);
  EXPECT_EQ(error_of(InstitutionCode::parse("0123455")), InstitutionCodeError::wrong_length);
  EXPECT_EQ(error_of(InstitutionCode::parse("13101234555")), InstitutionCodeError::wrong_length);
  EXPECT_EQ(error_of(InstitutionCode::parse("13101234a5")),
            InstitutionCodeError::invalid_characters);
  EXPECT_EQ(error_of(InstitutionCode::parse("13/1/0123455")),
            InstitutionCodeError::invalid_characters);
  EXPECT_EQ(error_of(InstitutionCode::parse("１３一０１２３４５５")),  // 漢数字 一 is not a digit
            InstitutionCodeError::invalid_characters);
  EXPECT_EQ(error_of(InstitutionCode::parse("\xff\xfe")), InstitutionCodeError::invalid_characters);
}

TEST(InstitutionCode, ShapeIsCheckedBeforePrefectureAndCheckDigit) {
  // Too short with an impossible prefecture still reports the length first.
  EXPECT_EQ(error_of(InstitutionCode::parse("99")), InstitutionCodeError::wrong_length);
  // Unknown prefecture is reported before a wrong check digit.
  EXPECT_EQ(error_of(InstitutionCode::parse("4810123450")),
            InstitutionCodeError::unknown_prefecture);
}

TEST(ParseCode7, AcceptsTheSevenDigitForm) {
  EXPECT_EQ(parse_code7("0123455").value(), "0123455");
  EXPECT_EQ(parse_code7("01-2345-5").value(), "0123455");
  EXPECT_EQ(parse_code7("０１２３４５５").value(), "0123455");
  EXPECT_EQ(error_of(parse_code7("0123454")), InstitutionCodeError::check_digit);
  EXPECT_EQ(error_of(parse_code7("1310123455")), InstitutionCodeError::wrong_length);
  EXPECT_EQ(error_of(parse_code7("")), InstitutionCodeError::empty);
  EXPECT_EQ(error_of(parse_code7("012345X")), InstitutionCodeError::invalid_characters);
}

TEST(ParseCode7, FormatsWithSeparators) {
  EXPECT_EQ(format_code7("0123455"), "01-2345-5");
}

TEST(InstitutionCodeError, KeysAreStable) {
  EXPECT_EQ(error_key(InstitutionCodeError::empty), "institution_code.empty");
  EXPECT_EQ(error_key(InstitutionCodeError::invalid_characters),
            "institution_code.invalid_characters");
  EXPECT_EQ(error_key(InstitutionCodeError::wrong_length), "institution_code.wrong_length");
  EXPECT_EQ(error_key(InstitutionCodeError::unknown_prefecture),
            "institution_code.unknown_prefecture");
  EXPECT_EQ(error_key(InstitutionCodeError::unknown_score_table),
            "institution_code.unknown_score_table");
  EXPECT_EQ(error_key(InstitutionCodeError::check_digit), "institution_code.check_digit");
}

}  // namespace
}  // namespace onshi::domain
