#include "domain/regions.hpp"

#include <gtest/gtest.h>
#include "support/error_of.hpp"

namespace onshi::domain {
namespace {

using onshi::test::error_of;

const Regions& regions() {
  static const Regions instance = Regions::load(std::string(ONSHI_SOURCE_DIR) + "/data").value();
  return instance;
}

TEST(MunicipalityCheckDigit, MatchesKnownCodes) {
  EXPECT_EQ(municipality_check_digit("13102"), 4);  // 131024 東京都中央区
  EXPECT_EQ(municipality_check_digit("01100"), 2);  // 011002 札幌市
  EXPECT_EQ(municipality_check_digit("47201"), 8);  // 472018 那覇市
  EXPECT_EQ(municipality_check_digit("01213"), 1);  // 012131 苫小牧市: r = 0 -> 11 -> 1
  EXPECT_EQ(municipality_check_digit("13101"), 6);  // 131016 千代田区
}

TEST(Regions, LoadsTheShippedData) {
  EXPECT_EQ(regions().prefectures().size(), 47U);
  EXPECT_EQ(regions().prefecture(1)->name, "北海道");
  EXPECT_EQ(regions().prefecture(13)->name, "東京都");
  EXPECT_EQ(regions().prefecture(47)->name, "沖縄県");
  EXPECT_EQ(regions().prefecture(0), nullptr);
  EXPECT_EQ(regions().prefecture(48), nullptr);
  // 1,741 municipalities (792 市 of which 20 designated, 743 町, 183 村, 23 特別区), the 6
  // villages of the Northern Territories the list keeps, and 171 wards of designated cities.
  EXPECT_EQ(regions().municipality_count(), 1918U);
}

TEST(Regions, LooksUpWardsAndSpecialWards) {
  const Municipality* chuo = regions().municipality("131024");
  ASSERT_NE(chuo, nullptr);
  EXPECT_EQ(chuo->name, "中央区");
  EXPECT_EQ(chuo->kind, MunicipalityKind::special_ward);
  const Municipality* sapporo_chuo = regions().municipality("011011");
  ASSERT_NE(sapporo_chuo, nullptr);
  EXPECT_EQ(sapporo_chuo->name, "札幌市中央区");
  EXPECT_EQ(sapporo_chuo->kind, MunicipalityKind::ward);
  EXPECT_EQ(regions().municipality("011002")->kind, MunicipalityKind::designated_city);
  EXPECT_EQ(regions().municipality("221384")->name, "浜松市中央区");  // 2024 reorganisation
  EXPECT_EQ(regions().municipality("221317"), nullptr);               // old 浜松市中区
}

TEST(Regions, ListsByPrefecture) {
  const auto tokyo = regions().municipalities_in(13);
  EXPECT_EQ(tokyo.size(), 62U);  // 23 special wards, 26 cities, 5 towns, 8 villages
  for (const auto& m : tokyo) EXPECT_EQ(m.prefecture, 13);
  EXPECT_EQ(tokyo.front().code, "131016");
  for (int p = 1; p <= 47; ++p) EXPECT_FALSE(regions().municipalities_in(p).empty()) << p;
  EXPECT_TRUE(regions().municipalities_in(0).empty());
  EXPECT_TRUE(regions().municipalities_in(48).empty());
}

TEST(Regions, ValidatesTheChosenPrefecture) {
  EXPECT_EQ(regions().validate("131024", 13).value()->name, "中央区");
  EXPECT_EQ(regions().validate("１３１０２４", 13).value()->code, "131024");
  EXPECT_EQ(error_of(regions().validate("131024", 27)), MunicipalityError::wrong_prefecture);
  EXPECT_EQ(error_of(regions().validate("131025", 13)), MunicipalityError::invalid_code);
  EXPECT_EQ(error_of(regions().validate("13102", 13)), MunicipalityError::invalid_code);
  EXPECT_EQ(error_of(regions().validate("", 13)), MunicipalityError::invalid_code);
  // 139998: a well-formed code with a correct check digit that no municipality has.
  EXPECT_EQ(
      error_of(regions().validate("13999" + std::to_string(municipality_check_digit("13999")), 13)),
      MunicipalityError::unknown);
  EXPECT_EQ(error_key(MunicipalityError::wrong_prefecture), "municipality.wrong_prefecture");
}

std::string prefectures_csv() {
  std::string csv = "code,name,kana,local_government_code\n";
  for (int p = 1; p <= 47; ++p) {
    char code[3] = {static_cast<char>('0' + p / 10), static_cast<char>('0' + p % 10), 0};
    const std::string five = std::string(code) + "000";
    csv +=
        std::string(code) + ",P,K," + five + std::to_string(municipality_check_digit(five)) + "\n";
  }
  return csv;
}

std::string one_per_prefecture(std::string_view extra = "") {
  std::string csv = "code,prefecture_code,name,kana,kind\n";
  for (int p = 1; p <= 47; ++p) {
    char code[3] = {static_cast<char>('0' + p / 10), static_cast<char>('0' + p % 10), 0};
    const std::string five = std::string(code) + "201";
    csv += five + std::to_string(municipality_check_digit(five)) + "," + code + ",X市,X,city\n";
  }
  return csv + std::string(extra);
}

TEST(Regions, RefusesBrokenDataWithTheLine) {
  ASSERT_TRUE(Regions::parse(prefectures_csv(), one_per_prefecture()).has_value());
  auto bad_digit = Regions::parse(prefectures_csv(), one_per_prefecture("131025,13,Y区,Y,ward\n"));
  ASSERT_FALSE(bad_digit.has_value());
  EXPECT_EQ(error_of(bad_digit).kind, RegionDataErrorKind::check_digit);
  EXPECT_EQ(error_of(bad_digit).line, 49);
  EXPECT_EQ(
      error_of(Regions::parse(prefectures_csv(), one_per_prefecture("131024,27,Y区,Y,ward\n")))
          .kind,
      RegionDataErrorKind::unknown_prefecture);
  EXPECT_EQ(
      error_of(Regions::parse(prefectures_csv(), one_per_prefecture("131024,13,Y区,Y\n"))).kind,
      RegionDataErrorKind::malformed_line);
  EXPECT_EQ(
      error_of(Regions::parse(prefectures_csv(), one_per_prefecture("012017,01,Y,Y,city\n"))).kind,
      RegionDataErrorKind::duplicate_code);
  EXPECT_EQ(
      error_of(Regions::parse(prefectures_csv(), one_per_prefecture("131024,13,Y,Y,county\n")))
          .kind,
      RegionDataErrorKind::unknown_kind);
  EXPECT_EQ(error_of(Regions::parse(prefectures_csv(), "code\n")).kind,
            RegionDataErrorKind::incomplete);
  EXPECT_EQ(error_of(Regions::load("/nonexistent")).kind, RegionDataErrorKind::unreadable);
}

}  // namespace
}  // namespace onshi::domain
