#include "domain/address.hpp"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "domain/postal_code.hpp"

namespace onshi::domain {
namespace {

// What the form stores: parse_address_line (NFKC, trimmed), then the repeated names dropped.
std::string stored(std::string_view typed, std::string_view prefecture,
                   std::string_view municipality) {
  return address_after_municipality(parse_address_line(typed).value(), prefecture, municipality);
}

TEST(AddressAfterMunicipality, DropsTheChosenPrefectureAndMunicipality) {
  EXPECT_EQ(stored("東京都中央区銀座1-2-3", "東京都", "中央区"), "銀座1-2-3");
  EXPECT_EQ(stored("中央区銀座1-2-3", "東京都", "中央区"), "銀座1-2-3");
  EXPECT_EQ(stored("東京都 中央区 銀座1-2-3 オンシビル5階", "東京都", "中央区"),
            "銀座1-2-3 オンシビル5階");
  // Full-width spaces and digits become ASCII first, so they are dropped the same way.
  EXPECT_EQ(stored("東京都　中央区　銀座１－２－３", "東京都", "中央区"), "銀座1-2-3");
  EXPECT_EQ(stored("銀座1-2-3", "東京都", "中央区"), "銀座1-2-3");
}

TEST(AddressAfterMunicipality, KeepsWhatIsNotARepeat) {
  // Another municipality, or the prefecture alone before it: only the chosen names go.
  EXPECT_EQ(stored("千代田区丸の内1-1", "東京都", "中央区"), "千代田区丸の内1-1");
  EXPECT_EQ(stored("東京都千代田区丸の内1-1", "東京都", "中央区"), "千代田区丸の内1-1");
  // A town named like the municipality without its 区/市 is a town: 千葉市中央区中央.
  EXPECT_EQ(stored("中央4-5-1", "千葉県", "千葉市中央区"), "中央4-5-1");
  EXPECT_EQ(stored("千葉県千葉市中央区中央4-5-1", "千葉県", "千葉市中央区"), "中央4-5-1");
  // 京都市 starts like 京都府 without its 府: the prefecture is dropped only when written whole.
  EXPECT_EQ(stored("京都市下京区烏丸通七条下ル", "京都府", "京都市下京区"), "烏丸通七条下ル");
  // Dropped once only: what follows a repeat is the person's.
  EXPECT_EQ(stored("中央区中央区銀座", "東京都", "中央区"), "中央区銀座");
}

TEST(AddressAfterMunicipality, KnowsDesignatedCitiesCountiesAndSmallKe) {
  EXPECT_EQ(stored("北海道札幌市中央区北1条西2丁目", "北海道", "札幌市中央区"), "北1条西2丁目");
  EXPECT_EQ(stored("中央区北1条西2丁目", "北海道", "札幌市中央区"), "北1条西2丁目");
  // The data names 木曽岬町 without its 郡; people write 桑名郡木曽岬町.
  EXPECT_EQ(stored("三重県桑名郡木曽岬町大字西対海地251", "三重県", "木曽岬町"), "大字西対海地251");
  EXPECT_EQ(stored("桑名郡 木曽岬町 西対海地251", "三重県", "木曽岬町"), "西対海地251");
  // ヶ and ケ are both written for 鎌ケ谷市; the person's spelling of the rest is kept.
  EXPECT_EQ(stored("千葉県鎌ヶ谷市新鎌ヶ谷2-6-1", "千葉県", "鎌ケ谷市"), "新鎌ヶ谷2-6-1");
  // Half-width katakana in the building name becomes full-width (NFKC), as before.
  EXPECT_EQ(stored("中央区銀座1-2-3 ｵﾝｼﾋﾞﾙ", "東京都", "中央区"), "銀座1-2-3 オンシビル");
}

TEST(AddressAfterMunicipality, KeepsATownNamedAfterItsPlace) {
  // 養父市 has a 町域 養父市場, 山口市 one called 山口県流通センター: typed right, they stay whole;
  // typed after the repeated names, the names go and the town stays.
  const std::vector<std::string_view> yabu = {"八鹿町八鹿", "養父市場", "大薮"};
  const auto in_yabu = [&](std::string_view typed) {
    return address_after_municipality(parse_address_line(typed).value(), "兵庫県", "養父市", yabu);
  };
  EXPECT_EQ(in_yabu("養父市場123"), "養父市場123");
  EXPECT_EQ(in_yabu("兵庫県養父市場123"), "養父市場123");
  EXPECT_EQ(in_yabu("兵庫県養父市養父市場123"), "養父市場123");
  EXPECT_EQ(in_yabu("養父市大薮1"), "大薮1");
  const std::vector<std::string_view> yamaguchi = {"山口県流通センター", "朝田流通センター"};
  EXPECT_EQ(address_after_municipality("山口県流通センター1-2", "山口県", "山口市", yamaguchi),
            "山口県流通センター1-2");
  EXPECT_EQ(address_after_municipality("山口県山口市山口県流通センター1-2", "山口県", "山口市",
                                       yamaguchi),
            "山口県流通センター1-2");
}

TEST(AddressAfterMunicipality, LeavesNothingWhenOnlyTheNamesWereTyped) {
  EXPECT_EQ(stored("東京都中央区", "東京都", "中央区"), "");
  EXPECT_EQ(stored("東京都 中央区 ", "東京都", "中央区"), "");
}

}  // namespace
}  // namespace onshi::domain
