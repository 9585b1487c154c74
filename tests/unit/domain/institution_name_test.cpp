#include "domain/institution_name.hpp"

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

TEST(ParseInstitutionName, NormalisesAndTrims) {
  EXPECT_EQ(parse_institution_name("  医療法人社団　山田クリニック　").value(),
            "医療法人社団 山田クリニック");
  EXPECT_EQ(parse_institution_name("ﾔﾏﾀﾞ薬局").value(), "ヤマダ薬局");
  EXPECT_EQ(parse_institution_name("ＡＢＣ歯科").value(), "ABC歯科");
  EXPECT_EQ(parse_institution_name("山田医院\n").value(), "山田医院");
}

TEST(ParseInstitutionName, LengthBoundaryCountsCodePoints) {
  EXPECT_TRUE(parse_institution_name("医").has_value());
  EXPECT_TRUE(parse_institution_name(repeat("医", 100)).has_value());
  EXPECT_EQ(error_of(parse_institution_name(repeat("医", 101))), InstitutionNameError::too_long);
  EXPECT_TRUE(parse_institution_name(repeat("a", 100)).has_value());
}

TEST(ParseInstitutionName, RejectsEmptyAndControlCharacters) {
  EXPECT_EQ(error_of(parse_institution_name("")), InstitutionNameError::empty);
  EXPECT_EQ(error_of(parse_institution_name(" 　 ")), InstitutionNameError::empty);
  EXPECT_EQ(error_of(parse_institution_name("山田\n医院")),
            InstitutionNameError::control_characters);
  EXPECT_EQ(error_of(parse_institution_name("山田\t医院")),
            InstitutionNameError::control_characters);
  EXPECT_EQ(error_of(parse_institution_name("山田\x7f")), InstitutionNameError::control_characters);
  EXPECT_EQ(error_of(parse_institution_name("\xe5\xb1")), InstitutionNameError::control_characters);
}

TEST(InstitutionNameError, KeysAreStable) {
  EXPECT_EQ(error_key(InstitutionNameError::empty), "institution_name.empty");
  EXPECT_EQ(error_key(InstitutionNameError::too_long), "institution_name.too_long");
  EXPECT_EQ(error_key(InstitutionNameError::control_characters),
            "institution_name.control_characters");
}

}  // namespace
}  // namespace onshi::domain
