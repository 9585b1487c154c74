#include "domain/postcodes.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "support/error_of.hpp"

namespace onshi::domain {
namespace {

using onshi::test::error_of;

const Regions& regions() {
  static const Regions instance = Regions::load(std::string(ONSHI_SOURCE_DIR) + "/data").value();
  return instance;
}

const Postcodes& shipped() {
  static const Postcodes instance =
      Postcodes::load(std::string(ONSHI_SOURCE_DIR) + "/data", regions()).value();
  return instance;
}

TEST(Postcodes, LoadsJapanPostsData) {
  // About 120,000 postcodes in KEN_ALL; a much smaller file means a broken conversion.
  EXPECT_GT(shipped().size(), 110000U);
  const auto ginza = shipped().lookup("1040061");
  ASSERT_EQ(ginza.size(), 1U);
  EXPECT_EQ(ginza[0].municipality_code, "131024");  // 東京都中央区
  EXPECT_EQ(ginza[0].town, "銀座");
  // 「以下に掲載がない場合」 names no town.
  const auto chiyoda = shipped().lookup("1000000");
  ASSERT_EQ(chiyoda.size(), 1U);
  EXPECT_EQ(chiyoda[0].municipality_code, "131016");
  EXPECT_EQ(chiyoda[0].town, "");
  EXPECT_TRUE(shipped().lookup("0000000").empty());
  EXPECT_TRUE(shipped().lookup("104006").empty());
  EXPECT_TRUE(shipped().lookup("104-0061").empty()) << "digits only: parse with PostalCode first";
}

TEST(Postcodes, UsesTheWardsOfDesignatedCities) {
  // KEN_ALL's 01101 is 札幌市中央区, 011011 with its check digit.
  const auto sapporo = shipped().municipalities_of("0600000");
  ASSERT_EQ(sapporo.size(), 1U);
  EXPECT_EQ(sapporo[0], "011011");
  EXPECT_EQ(regions().municipality(sapporo[0])->name, "札幌市中央区");
  // 浜松市's wards since 2024: 中区 is gone, 中央区 is 221384.
  EXPECT_EQ(shipped().municipalities_of("4300946"), std::vector<std::string>{"221384"});
}

TEST(Postcodes, SpansMunicipalitiesAndBuildingFloors) {
  // 498-0000 is 弥富市 (愛知県) and 木曽岬町 (三重県).
  EXPECT_EQ(shipped().municipalities_of("4980000"), (std::vector<std::string>{"232351", "243035"}));
  // Every floor of 霞が関ビル shares the 5-digit prefix 100-60.
  for (const char* floor : {"1006001", "1006090"}) {
    const auto areas = shipped().lookup(floor);
    ASSERT_EQ(areas.size(), 1U) << floor;
    EXPECT_EQ(areas[0].municipality_code, "131016");
    EXPECT_EQ(areas[0].town, "霞が関霞が関ビル");
  }
}

constexpr std::string_view kHeader = "postcode,code,town\n";

PostcodeDataError refused(const std::string& rows) {
  return error_of(Postcodes::parse(std::string(kHeader) + rows, regions()));
}

TEST(Postcodes, RefusesBadRowsWithTheirLine) {
  const std::string good = "1040061,131024,銀座\n";
  ASSERT_TRUE(Postcodes::parse(std::string(kHeader) + good, regions()).has_value());
  EXPECT_EQ(refused(good + "1040062,131024\n").kind, PostcodeDataErrorKind::malformed_line);
  EXPECT_EQ(refused(good + "1040062,131024\n").line, 3);
  EXPECT_EQ(refused("1040061,131024,銀,座\n").kind, PostcodeDataErrorKind::malformed_line);
  EXPECT_EQ(refused("1040061,131024,銀\t座\n").kind, PostcodeDataErrorKind::malformed_line);
  EXPECT_EQ(refused(std::string("1040061,131024,\xff\n")).kind,
            PostcodeDataErrorKind::malformed_line);
  EXPECT_EQ(refused("104006,131024,銀座\n").kind, PostcodeDataErrorKind::bad_postcode);
  EXPECT_EQ(refused("104-0061,131024,銀座\n").kind, PostcodeDataErrorKind::bad_postcode);
  EXPECT_EQ(refused("1040061,131025,銀座\n").kind, PostcodeDataErrorKind::check_digit);
  EXPECT_EQ(refused("1040061,13102,銀座\n").kind, PostcodeDataErrorKind::check_digit);
  // A 5-digit JIS code with its check digit that the municipalities do not list (old 浜松市中区).
  EXPECT_EQ(refused("4300946,221317,元城町\n").kind, PostcodeDataErrorKind::unknown_municipality);
  EXPECT_EQ(refused("1040062,131024,銀座\n1040061,131024,銀座\n").kind,
            PostcodeDataErrorKind::unsorted);
  EXPECT_EQ(refused("").kind, PostcodeDataErrorKind::empty);
  // Without its header a file would lose its first row unseen.
  const auto headless = Postcodes::parse(good + "1040062,131024,銀座\n", regions());
  ASSERT_FALSE(headless.has_value());
  EXPECT_EQ(headless.error().kind, PostcodeDataErrorKind::malformed_line);
  EXPECT_EQ(headless.error().line, 1);
  EXPECT_EQ(error_of(Postcodes::load("/nonexistent", regions())).kind,
            PostcodeDataErrorKind::unreadable);
}

TEST(Postcodes, ListTheTownsOfAMunicipality) {
  const auto yabu = shipped().towns_of("282227");  // 養父市
  EXPECT_NE(std::ranges::find(yabu, "養父市場"), yabu.end());
  const auto yamaguchi = shipped().towns_of("352039");  // 山口市
  EXPECT_NE(std::ranges::find(yamaguchi, "山口県流通センター"), yamaguchi.end());
  EXPECT_TRUE(shipped().towns_of("999999").empty());
  EXPECT_TRUE(shipped().towns_of("abc").empty());
}

TEST(Postcodes, APrefixRowCoversEveryPostcodeBelowIt) {
  const auto p = Postcodes::parse(
      std::string(kHeader) + "10060,131016,霞が関霞が関ビル\n1006099,131016,別の名前\n", regions());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->lookup("1006001").size(), 1U);
  EXPECT_EQ(p->lookup("1006099").size(), 2U);
  EXPECT_TRUE(p->lookup("1006100").empty());
}

}  // namespace
}  // namespace onshi::domain
