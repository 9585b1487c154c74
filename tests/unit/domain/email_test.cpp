#include "domain/email.hpp"

#include <gtest/gtest.h>

#include <string>
#include "support/error_of.hpp"

namespace onshi::domain {
namespace {

using onshi::test::error_of;

TEST(ParseEmail, AcceptsOrdinaryAddresses) {
  EXPECT_EQ(parse_email("taro@example.jp").value(), "taro@example.jp");
  EXPECT_EQ(parse_email("  jimu.staff+portal@clinic.example.co.jp  ").value(),
            "jimu.staff+portal@clinic.example.co.jp");
}

TEST(ParseEmail, NormalisesFullWidthAndLowersTheDomainOnly) {
  EXPECT_EQ(parse_email("Ｔａｒｏ＠ＥＸＡＭＰＬＥ．ＪＰ").value(), "Taro@example.jp");
  EXPECT_EQ(parse_email("Taro@Example.JP").value(), "Taro@example.jp");
  EXPECT_EQ(parse_email("　taro@example.jp　").value(), "taro@example.jp");
}

TEST(ParseEmail, AllowsJapaneseCarrierDots) {
  EXPECT_EQ(parse_email("taro..yamada.@docomo.ne.jp").value(), "taro..yamada.@docomo.ne.jp");
}

TEST(ParseEmail, AllowsInternationalisedDomains) {
  EXPECT_EQ(parse_email("info@例え.テスト").value(), "info@例え.テスト");
  EXPECT_EQ(parse_email("info@xn--r8jz45g.jp").value(), "info@例え.jp");
  EXPECT_EQ(parse_email("info@日本語ドメイン.jp").value(), "info@日本語ドメイン.jp");
}

TEST(ParseEmail, RejectsMissingOrExtraAt) {
  EXPECT_EQ(error_of(parse_email("")), EmailError::empty);
  EXPECT_EQ(error_of(parse_email("   ")), EmailError::empty);
  EXPECT_EQ(error_of(parse_email("taro.example.jp")), EmailError::missing_at);
  EXPECT_EQ(error_of(parse_email("taro@@example.jp")), EmailError::multiple_at);
  EXPECT_EQ(error_of(parse_email("a@b@example.jp")), EmailError::multiple_at);
  EXPECT_EQ(error_of(parse_email("@example.jp")), EmailError::local_part_empty);
}

TEST(ParseEmail, RejectsBadLocalParts) {
  EXPECT_EQ(error_of(parse_email("ta ro@example.jp")), EmailError::local_part_invalid);
  EXPECT_EQ(error_of(parse_email("太郎@example.jp")), EmailError::local_part_invalid);
  EXPECT_EQ(error_of(parse_email("\"taro\"@example.jp")), EmailError::local_part_invalid);
  EXPECT_EQ(error_of(parse_email("ta(ro)@example.jp")), EmailError::local_part_invalid);
  EXPECT_EQ(error_of(parse_email("taro\t@example.jp")), EmailError::invalid_characters);
  EXPECT_EQ(error_of(parse_email("\xc3\x28@example.jp")), EmailError::invalid_characters);
}

TEST(ParseEmail, LocalPartLengthBoundary) {
  const std::string local64(64, 'a');
  EXPECT_TRUE(parse_email(local64 + "@example.jp").has_value());
  EXPECT_EQ(error_of(parse_email(local64 + "a@example.jp")), EmailError::local_part_too_long);
}

TEST(ParseEmail, RejectsBadDomains) {
  EXPECT_EQ(error_of(parse_email("taro@")), EmailError::domain_invalid);
  EXPECT_EQ(error_of(parse_email("taro@localhost")), EmailError::domain_single_label);
  EXPECT_EQ(error_of(parse_email("taro@example..jp")), EmailError::domain_invalid);
  EXPECT_EQ(error_of(parse_email("taro@.example.jp")), EmailError::domain_invalid);
  EXPECT_EQ(error_of(parse_email("taro@example.jp.")), EmailError::domain_invalid);
  EXPECT_EQ(error_of(parse_email("taro@-example.jp")), EmailError::domain_invalid);
  EXPECT_EQ(error_of(parse_email("taro@exa_mple.jp")), EmailError::domain_invalid);
  EXPECT_EQ(error_of(parse_email("taro@exa mple.jp")), EmailError::domain_invalid);
  EXPECT_EQ(error_of(parse_email("taro@[192.0.2.1]")), EmailError::domain_invalid);
  EXPECT_EQ(error_of(parse_email("taro@" + std::string(64, 'a') + ".jp")),
            EmailError::domain_invalid);
  EXPECT_TRUE(parse_email("taro@" + std::string(63, 'a') + ".jp").has_value());
}

TEST(ParseEmail, TotalLengthBoundary) {
  // 64 + 1 + 189 = 254 octets is the longest accepted address.
  const std::string local(64, 'a');
  const std::string label(60, 'b');
  const std::string domain189 = label + "." + label + "." + label + "." + std::string(6, 'c');
  ASSERT_EQ(domain189.size(), 189U);
  EXPECT_TRUE(parse_email(local + "@" + domain189).has_value());
  EXPECT_EQ(error_of(parse_email(local + "@" + domain189 + "c")), EmailError::too_long);
}

TEST(EmailError, KeysAreStable) {
  EXPECT_EQ(error_key(EmailError::missing_at), "email.missing_at");
  EXPECT_EQ(error_key(EmailError::too_long), "email.too_long");
}

}  // namespace
}  // namespace onshi::domain
