// The notice letter's address (issue 14 §1): the 所在地 without a repeated prefecture and
// municipality, Japan Post's postcodes filling the address in, and a postcode of another
// municipality refused beside 郵便番号 with nothing saved.
#include "app/applications/mailing_address.hpp"

#include <gtest/gtest.h>

#include "app/applications/my_page.hpp"
#include "app/applications/usage_applications.hpp"
#include "app_test_env.hpp"
#include "clinic_fixture.hpp"
#include "support/error_of.hpp"

namespace onshi::app {
namespace {

using onshi::test::error_of;

class MailingAddressTest : public ::testing::Test {
 protected:
  void SetUp() override {
    user = test::logged_in_clinic(env.services);
    ASSERT_TRUE(finalize_usage_application(env.services, user, test::usage_form()).has_value());
  }

  // What the page shows for a refusal beside its field.
  std::string message(const FieldError& e) { return env.messages.format(e.key, e.args); }

  test::TestEnv env;
  SessionUser user;
};

TEST_F(MailingAddressTest, TheWholeAddressTypedIsStoredAfterTheMunicipality) {
  for (const char* typed : {"東京都中央区銀座1-2-3", "中央区銀座1-2-3",
                            "東京都　中央区　銀座１－２－３", "銀座1-2-3"}) {
    auto f = test::certificate_form("1", std::string("key-") + typed);
    f.address_line = typed;
    auto r = submit_certificate_application(env.services, user, f);
    ASSERT_TRUE(r.has_value()) << typed;
    EXPECT_EQ(r->application.address_line, "銀座1-2-3") << typed;
    EXPECT_EQ(mailing_address(env.services, r->application), "〒104-0061 東京都中央区銀座1-2-3");
  }
}

TEST_F(MailingAddressTest, ATownNamedAfterItsMunicipalityKeepsItsName) {
  // Japan Post's data knows 養父市 養父市場 and 山口市 山口県流通センター; 千代田区's town 千代田
  // is shorter than the ward's name and guards nothing.
  EXPECT_EQ(address_line_for(env.services, 28, "282227", "養父市場123").value(), "養父市場123");
  EXPECT_EQ(address_line_for(env.services, 28, "282227", "兵庫県養父市養父市場123").value(),
            "養父市場123");
  EXPECT_EQ(address_line_for(env.services, 35, "352039", "山口県流通センター1-2").value(),
            "山口県流通センター1-2");
  EXPECT_EQ(address_line_for(env.services, 13, "131016", "東京都千代田区丸の内1-1").value(),
            "丸の内1-1");
}

TEST_F(MailingAddressTest, OnlyTheNamesIsRefusedBesideTheAddress) {
  auto f = test::certificate_form();
  f.address_line = "東京都中央区";
  const auto r = check_certificate_form(env.services, user, f);
  ASSERT_FALSE(r.has_value());
  ASSERT_EQ(error_of(r).size(), 1u);
  EXPECT_EQ(error_of(r)[0].field, "address_line");
  EXPECT_EQ(error_of(r)[0].key, "mailing_address.municipality_only");
  EXPECT_TRUE(env.messages.has(error_of(r)[0].key));
}

TEST_F(MailingAddressTest, APostcodeOfAnotherMunicipalityIsRefusedNamingItsOwn) {
  // The probe: 千代田区 chosen with 中央区's 104-0061 was approved, issued and printed.
  auto f = test::certificate_form();
  f.municipality = "131016";  // 千代田区
  f.postal_code = "１０４ー００６１";
  const auto r = submit_certificate_application(env.services, user, f);
  ASSERT_FALSE(r.has_value());
  ASSERT_EQ(error_of(r).fields.size(), 1u);
  const auto& e = error_of(r).fields[0];
  EXPECT_EQ(e.field, "postal_code");
  EXPECT_EQ(e.key, "mailing_address.wrong_municipality");
  EXPECT_EQ(message(e),
            "郵便番号 104-0061 は 東京都中央区 "
            "の郵便番号です。市区町村の選択か郵便番号をご確認ください。");
  EXPECT_TRUE(my_page(env.services, user.institution.id).certificate_applications.empty());

  // A postcode the data does not know goes through, for the reviewer to check (a hospital's
  // 事業所個別郵便番号 is not in KEN_ALL); its lookup says what to do instead.
  f.municipality = "131024";
  f.postal_code = "104-9999";
  EXPECT_TRUE(check_certificate_form(env.services, user, f).has_value());
  EXPECT_EQ(postcode_mismatch(env.services, "104-9999", "131024")->key,
            "mailing_address.unknown_postcode");
  EXPECT_EQ(message(error_of(postcode_address(env.services, "104-9999"))),
            "郵便番号 104-9999 は日本郵便の郵便番号データにありません。郵便番号をご確認ください。"
            "事業所の個別郵便番号の場合は、都道府県・市区町村を選び、所在地を入力してください。");
  // The postcode's own format errors stay as they were.
  f.postal_code = "104-006";
  EXPECT_EQ(error_of(check_certificate_form(env.services, user, f))[0].key, "postal_code.format");
}

TEST_F(MailingAddressTest, ADesignatedCityTakesItsWardsPostcodes) {
  EXPECT_FALSE(postcode_mismatch(env.services, "0600000", "011011").has_value());  // 札幌市中央区
  EXPECT_FALSE(postcode_mismatch(env.services, "0600000", "011002").has_value());  // 札幌市
  const auto kita = postcode_mismatch(env.services, "0600000", "011029");  // 札幌市北区
  ASSERT_TRUE(kita.has_value());
  EXPECT_EQ(kita->args, (std::vector<std::string>{"060-0000", "北海道札幌市中央区"}));
  // 498-0000 spans two prefectures: either municipality is right, the message names both.
  EXPECT_FALSE(postcode_mismatch(env.services, "4980000", "243035").has_value());
  EXPECT_EQ(postcode_mismatch(env.services, "4980000", "131024")->args[1],
            "愛知県弥富市、三重県木曽岬町");
}

TEST_F(MailingAddressTest, APostcodeSaysItsPrefectureMunicipalityAndTowns) {
  const auto ginza = postcode_address(env.services, "〒１０４－００６１");
  ASSERT_TRUE(ginza.has_value());
  EXPECT_EQ(ginza->postal_code, "104-0061");
  EXPECT_EQ(ginza->prefecture, 13);
  EXPECT_EQ(ginza->prefecture_name, "東京都");
  EXPECT_EQ(ginza->municipality_code, "131024");
  EXPECT_EQ(ginza->municipality_name, "中央区");
  EXPECT_EQ(ginza->towns, std::vector<std::string>{"銀座"});
  EXPECT_TRUE(postcode_address(env.services, "100-0000")->towns.empty());  // 以下に掲載がない場合
  EXPECT_EQ(error_of(postcode_address(env.services, "000-0000")).key,
            "mailing_address.unknown_postcode");
  EXPECT_EQ(error_of(postcode_address(env.services, "")).key, "postal_code.required");
}

TEST_F(MailingAddressTest, FillingFromThePostcodeKeepsWhatWasTyped) {
  auto f = test::certificate_form();
  f.prefecture = "";
  f.municipality = "";
  f.postal_code = "0600000";
  f.address_line = "";
  const auto empty_town = fill_from_postcode(env.services, f);
  EXPECT_TRUE(empty_town.errors.empty());
  EXPECT_EQ(empty_town.form.prefecture, "1");
  EXPECT_EQ(empty_town.form.municipality, "011011");
  EXPECT_EQ(empty_town.form.postal_code, "060-0000");
  EXPECT_EQ(empty_town.form.address_line, "") << "KEN_ALL names no 町域 for 060-0000";

  f.postal_code = "104-0061";
  auto filled = fill_from_postcode(env.services, f);
  EXPECT_EQ(filled.form.prefecture, "13");
  EXPECT_EQ(filled.form.municipality, "131024");
  EXPECT_EQ(filled.form.address_line, "銀座");
  f.address_line = "銀座1-2-3";
  EXPECT_EQ(fill_from_postcode(env.services, f).form.address_line, "銀座1-2-3");
  EXPECT_EQ(fill_from_postcode(env.services, f).form.department, f.department);

  f.postal_code = "999-9999";
  const auto unknown = fill_from_postcode(env.services, f);
  ASSERT_EQ(unknown.errors.size(), 1u);
  EXPECT_EQ(unknown.errors[0].field, "postal_code");
  EXPECT_EQ(unknown.form.postal_code, "999-9999");
  EXPECT_EQ(unknown.form.prefecture, "");
}

TEST_F(MailingAddressTest, AnOlderApplicationIsShownOnceAndItsMismatchFound) {
  store::CertificateApplicationRecord a;
  a.prefecture = 13;
  a.municipality_code = "131016";  // 千代田区, stored before the postcode was checked
  a.postal_code = "1040061";
  a.address_line = "東京都千代田区丸の内1-1";
  EXPECT_EQ(mailing_address(env.services, a), "〒104-0061 東京都千代田区丸の内1-1");
  const auto mismatch = postcode_mismatch(env.services, a);
  ASSERT_TRUE(mismatch.has_value());
  EXPECT_EQ(mismatch->key, "mailing_address.wrong_municipality");
  a.municipality_code = "131024";
  a.address_line = "銀座1-2-3";
  EXPECT_FALSE(postcode_mismatch(env.services, a).has_value());
  a.postal_code.clear();
  EXPECT_FALSE(postcode_mismatch(env.services, a).has_value()) << "no address to check";
}

}  // namespace
}  // namespace onshi::app
