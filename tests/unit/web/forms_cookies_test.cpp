// Form and query parsing, percent-encoding, and cookies.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <iterator>

#include "support/error_of.hpp"
#include "web/cookies.hpp"
#include "web/forms.hpp"

namespace onshi::web {
namespace {

using onshi::test::error_of;

TEST(FormParse, DecodesPercentEscapesAndPlus) {
  const auto f = Form::parse("a=1&b=%E3%81%82&c=x+y%2Bz&d=%41%62");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->get("a"), "1");
  EXPECT_EQ(f->get("b"), "あ");
  EXPECT_EQ(f->get("c"), "x y+z");
  EXPECT_EQ(f->get("d"), "Ab");
  EXPECT_TRUE(f->has("a"));
  EXPECT_FALSE(f->has("e"));
  EXPECT_EQ(f->get("e"), "");
}

TEST(FormParse, NamesAreDecodedToo) {
  const auto f = Form::parse("new%5Fpassword=x&%E5%90%8D=y");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->get("new_password"), "x");
  EXPECT_EQ(f->get("名"), "y");
}

TEST(FormParse, EmptyInputsAndEmptyPairs) {
  const auto empty = Form::parse("");
  ASSERT_TRUE(empty.has_value());
  EXPECT_FALSE(empty->has("a"));
  const auto f = Form::parse("&&a=&b&&c=3&");
  ASSERT_TRUE(f.has_value());
  EXPECT_TRUE(f->has("a"));
  EXPECT_EQ(f->get("a"), "");
  EXPECT_TRUE(f->has("b"));
  EXPECT_EQ(f->get("b"), "");
  EXPECT_EQ(f->get("c"), "3");
  EXPECT_FALSE(f->has(""));
}

TEST(FormParse, ValueMayHoldEqualsSigns) {
  const auto f = Form::parse("token=abc==&x=a=b");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->get("token"), "abc==");
  EXPECT_EQ(f->get("x"), "a=b");
}

TEST(FormParse, RepeatedKeysKeepTheFirst) {
  const auto f = Form::parse("csrf_token=first&csrf_token=second");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->get("csrf_token"), "first");
}

TEST(FormParse, AllValuesOfARepeatedNameInTheOrderSent) {
  const auto f = Form::parse("certificate=C-1&reason=x&certificate=C%2D2&certificate=");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->all("certificate"), (std::vector<std::string>{"C-1", "C-2", ""}));
  EXPECT_EQ(f->all("reason"), std::vector<std::string>{"x"});
  EXPECT_TRUE(f->all("missing").empty());
  EXPECT_EQ(f->get("certificate"), "C-1");
}

TEST(FormParse, MalformedEscapesRefuseTheWholeForm) {
  for (const char* bad : {"%zz", "%4", "a=%", "a=1&b=%4", "a=%G1", "%=1", "a=%%41"}) {
    const auto f = Form::parse(bad);
    ASSERT_FALSE(f.has_value()) << bad;
    EXPECT_EQ(error_of(f), FormError::malformed_escape) << bad;
  }
}

TEST(FormParse, BytesThatAreNotUtf8AreRefused) {
  for (const char* bad : {"a=%FF", "%FF=1", "a=%C0%AF", "a=%E3%81", "a=%ED%A0%80"}) {
    const auto f = Form::parse(bad);
    ASSERT_FALSE(f.has_value()) << bad;
    EXPECT_EQ(error_of(f), FormError::invalid_utf8) << bad;
  }
}

TEST(FormParse, AtMostTheLimitOfFields) {
  // The issue form of a 99-certificate application fits: 99 CSR boxes, csrf_token and action.
  std::string issue_form = "csrf_token=t&action=issue";
  for (int i = 1; i <= 99; ++i) fmt::format_to(std::back_inserter(issue_form), "&csr_{}=", i);
  ASSERT_TRUE(Form::parse(issue_form).has_value());

  std::string full;
  for (std::size_t i = 0; i < kMaxFormFields; ++i)
    fmt::format_to(std::back_inserter(full), "f{}=1&", i);
  const auto ok = Form::parse(full);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->get(fmt::format("f{}", kMaxFormFields - 1)), "1");
  const auto over = Form::parse(full + "one=more");
  ASSERT_FALSE(over.has_value());
  EXPECT_EQ(error_of(over), FormError::too_many_fields);
  // Repeats count too: a flood of one name is still a flood.
  std::string repeats;
  for (std::size_t i = 0; i <= kMaxFormFields; ++i) repeats += "a=1&";
  EXPECT_EQ(error_of(Form::parse(repeats)), FormError::too_many_fields);
}

TEST(UrlCoding, DecodeEdgeCases) {
  EXPECT_EQ(url_decode(""), std::optional<std::string>(""));
  EXPECT_EQ(url_decode("%41"), std::optional<std::string>("A"));
  EXPECT_EQ(url_decode("%4a%4A"), std::optional<std::string>("JJ"));
  EXPECT_EQ(url_decode("+%20+"), std::optional<std::string>("   "));
  EXPECT_EQ(url_decode("%00"), std::optional<std::string>(std::string(1, '\0')));
  EXPECT_FALSE(url_decode("%").has_value());
  EXPECT_FALSE(url_decode("%4").has_value());
  EXPECT_FALSE(url_decode("abc%").has_value());
  EXPECT_FALSE(url_decode("%x1").has_value());
}

TEST(UrlCoding, EncodeKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(url_encode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(url_encode("a b+c&d=e/f?"), "a%20b%2Bc%26d%3De%2Ff%3F");
  EXPECT_EQ(url_encode("あ"), "%E3%81%82");
  EXPECT_EQ(url_encode(std::string(1, '\0')), "%00");
}

TEST(UrlCoding, RoundTrip) {
  for (const std::string s :
       {"", "plain", "a b+c&d=e", "医療機関 コード", "100%", "\x7f\x01~", "line\r\nbreak"}) {
    EXPECT_EQ(url_decode(url_encode(s)), std::optional<std::string>(s)) << s;
  }
}

TEST(Cookies, ValueAmongSeveral) {
  const std::string header = "a=1; onshi_session=abc; onshi_csrf=xyz==";
  EXPECT_EQ(cookie_value(header, "a"), "1");
  EXPECT_EQ(cookie_value(header, "onshi_session"), "abc");
  EXPECT_EQ(cookie_value(header, "onshi_csrf"), "xyz==");
  EXPECT_EQ(cookie_value(header, "missing"), "");
  EXPECT_EQ(cookie_value("", "a"), "");
}

TEST(Cookies, SpacesAndLookalikeNames) {
  EXPECT_EQ(cookie_value("  x=1 ;   onshi_session=abc  ;y=2", "onshi_session"), "abc");
  EXPECT_EQ(cookie_value("xonshi_session=bad; onshi_session_old=bad", "onshi_session"), "");
  EXPECT_EQ(cookie_value("onshi_session; onshi_session=good", "onshi_session"), "good");
  EXPECT_EQ(cookie_value("onshi_session=", "onshi_session"), "");
  EXPECT_EQ(cookie_value("onshi_session=first; onshi_session=second", "onshi_session"), "first");
}

TEST(Cookies, SetCookieAttributes) {
  const auto plain = set_cookie("onshi_session", "v", {});
  EXPECT_TRUE(plain.starts_with("onshi_session=v;")) << plain;
  EXPECT_NE(plain.find("; HttpOnly"), std::string::npos);
  EXPECT_NE(plain.find("; SameSite=Lax"), std::string::npos);
  EXPECT_NE(plain.find("; Path=/"), std::string::npos);
  EXPECT_EQ(plain.find("Secure"), std::string::npos);
  EXPECT_EQ(plain.find("Max-Age"), std::string::npos);

  const auto secure = set_cookie("onshi_csrf", "t", {.secure = true});
  EXPECT_NE(secure.find("; Secure"), std::string::npos) << secure;

  const auto deleted = set_cookie("onshi_session", "", {.max_age_seconds = 0});
  EXPECT_TRUE(deleted.starts_with("onshi_session=;")) << deleted;
  EXPECT_NE(deleted.find("; Max-Age=0"), std::string::npos) << deleted;

  const auto lasting = set_cookie("a", "b", {.max_age_seconds = 3600});
  EXPECT_NE(lasting.find("; Max-Age=3600"), std::string::npos);
}

}  // namespace
}  // namespace onshi::web
