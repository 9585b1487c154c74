// Text helpers: NFKC, UTF-8 validity, code points, control characters, trimming, code input.
#include "util/text.hpp"

#include <gtest/gtest.h>

namespace onshi::util {
namespace {

TEST(Nfkc, FullWidthDigitsAndLettersBecomeAscii) {
  const auto digits = nfkc("１２３");
  EXPECT_TRUE(digits.valid_utf8);
  EXPECT_EQ(digits.text, "123");
  EXPECT_EQ(nfkc("ＣＡＦ").text, "CAF");
  EXPECT_EQ(nfkc("ａｂｃ＠ｅｘ．ｊｐ").text, "abc@ex.jp");
  EXPECT_EQ(nfkc("ｶﾞｯｺｳ").text, "ガッコウ");  // half-width katakana, voiced mark joined
  EXPECT_EQ(nfkc("①").text, "1");
  EXPECT_EQ(nfkc("\u3000").text, " ");  // ideographic space
  EXPECT_EQ(nfkc("漢字とかな").text, "漢字とかな");
}

TEST(Nfkc, EmptyIsValid) {
  const auto n = nfkc("");
  EXPECT_TRUE(n.valid_utf8);
  EXPECT_EQ(n.text, "");
}

TEST(Nfkc, InvalidUtf8GivesEmptyAndFalse) {
  for (const std::string bad : {"\xFF", "abc\x80", "\xE3\x81", "\xC0\xAF", "\xED\xA0\x80"}) {
    const auto n = nfkc(bad);
    EXPECT_FALSE(n.valid_utf8);
    EXPECT_EQ(n.text, "");
  }
}

TEST(IsValidUtf8, AcceptsWellFormedText) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ASCII"));
  EXPECT_TRUE(is_valid_utf8("医療機関"));
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x98\x80"));  // U+1F600, four bytes
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
  EXPECT_TRUE(is_valid_utf8("\xEF\xBF\xBD"));      // U+FFFD
  EXPECT_TRUE(is_valid_utf8(std::string("a\0b", 3)));
}

TEST(IsValidUtf8, RefusesOverlongEncodings) {
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));  // '/' in two bytes
  EXPECT_FALSE(is_valid_utf8("\xC1\xBF"));
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // '/' in three bytes
  EXPECT_FALSE(is_valid_utf8("\xF0\x80\x80\xAF"));  // '/' in four bytes
  EXPECT_FALSE(is_valid_utf8("\xC0\x80"));          // NUL in two bytes
}

TEST(IsValidUtf8, RefusesSurrogatesAndBeyondUnicode) {
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // U+D800
  EXPECT_FALSE(is_valid_utf8("\xED\xBF\xBF"));      // U+DFFF
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(is_valid_utf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\xFE"));
  EXPECT_FALSE(is_valid_utf8("\xFF"));
}

TEST(IsValidUtf8, RefusesTruncatedAndStrayBytes) {
  EXPECT_FALSE(is_valid_utf8("\xE3\x81"));      // あ without its last byte
  EXPECT_FALSE(is_valid_utf8("abc\xE3"));       // lead byte at the end
  EXPECT_FALSE(is_valid_utf8("\xF0\x9F\x98"));  // emoji cut short
  EXPECT_FALSE(is_valid_utf8("\x80"));          // lone continuation byte
  EXPECT_FALSE(is_valid_utf8("\xE3\x41\x82"));  // continuation replaced by ASCII
  EXPECT_FALSE(is_valid_utf8("ok\xC3(ok"));
}

TEST(CodePoints, CountsCharactersNotBytes) {
  EXPECT_EQ(code_points(""), 0u);
  EXPECT_EQ(code_points("abc"), 3u);
  EXPECT_EQ(code_points("あいう"), 3u);
  EXPECT_EQ(code_points("\xF0\x9F\x98\x80"), 1u);
  EXPECT_EQ(code_points("aあ\xC3\xA9\xF0\x9F\x98\x80"), 4u);
}

TEST(HasControlChars, FindsC0DelAndC1) {
  EXPECT_FALSE(has_control_chars(""));
  EXPECT_FALSE(has_control_chars("普通の文字 and spaces"));
  EXPECT_TRUE(has_control_chars("tab\there"));
  EXPECT_TRUE(has_control_chars("line\n"));
  EXPECT_TRUE(has_control_chars("\r"));
  EXPECT_TRUE(has_control_chars(std::string(1, '\0')));
  EXPECT_TRUE(has_control_chars("\x1F"));
  EXPECT_TRUE(has_control_chars("\x7F"));      // DEL
  EXPECT_TRUE(has_control_chars("\xC2\x80"));  // U+0080, first C1
  EXPECT_TRUE(has_control_chars("\xC2\x85"));  // NEL
  // The probe: U+202E (RIGHT-TO-LEFT OVERRIDE) in 署名名称等 made the name read backwards.
  for (const char* bidi : {"\u202E", "\u202A", "\u202D", "\u200E", "\u200F", "\u061C", "\u2066",
                           "\u2069", "\u2028", "\u2029"}) {
    EXPECT_TRUE(has_control_chars(std::string("医院") + bidi + "名")) << bidi;
  }
  EXPECT_FALSE(has_control_chars("\u2065\u206A\u2027\u202F\u200D"));  // neighbours stay allowed
  EXPECT_TRUE(has_control_chars("\xC2\x9F"));                         // U+009F, last C1
  EXPECT_FALSE(has_control_chars("\xC2\xA0"));                        // no-break space is printable
  EXPECT_FALSE(has_control_chars(" ~"));                              // 0x20 and 0x7E are the edges
  EXPECT_TRUE(has_control_chars("\xFF"));  // invalid bytes count as unprintable
}

TEST(Trim, RemovesAsciiWhitespaceOnly) {
  EXPECT_EQ(trim("  a b \t\r\n"), "a b");
  EXPECT_EQ(trim("\f\va\v"), "a");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim(" \t\n "), "");
  EXPECT_EQ(trim("x"), "x");
  EXPECT_EQ(trim("\u3000a\u3000"), "\u3000a\u3000");  // ideographic spaces are not ASCII
}

TEST(NormalizeCodeInput, MapsEveryDashPeopleType) {
  for (const std::string dash : {"ー", "−", "‐", "‑", "–", "—", "―", "ｰ", "－", "-"}) {
    EXPECT_EQ(normalize_code_input("13" + dash + "1" + dash + "0123455"), "13-1-0123455") << dash;
  }
}

TEST(NormalizeCodeInput, FullWidthDigitsAndSpaces) {
  EXPECT_EQ(normalize_code_input("１３１０１２３４５５"), "1310123455");
  EXPECT_EQ(normalize_code_input("\u3000１３－１\u3000"), "13-1");
  EXPECT_EQ(normalize_code_input("  03-1234-5678 \t"), "03-1234-5678");
  EXPECT_EQ(normalize_code_input("13 1"), "13 1");  // inner spaces are the parser's business
  EXPECT_EQ(normalize_code_input(""), "");
  EXPECT_EQ(normalize_code_input("\xFF"
                                 "123"),
            "");
}

TEST(AsciiLower, LowersOnlyAsciiLetters) {
  EXPECT_EQ(ascii_lower("Staff@Clinic.EXAMPLE.jp"), "staff@clinic.example.jp");
  EXPECT_EQ(ascii_lower("AZaz09@[`{"), "azaz09@[`{");
  EXPECT_EQ(ascii_lower("ÀÉＡ"), "ÀÉＡ");  // Latin-1 and full-width capitals stay
  EXPECT_EQ(ascii_lower(""), "");
}

// As the notice letter prints a serial and the pages show it.
TEST(GroupSerial, InFoursUpperCase) {
  EXPECT_EQ(group_serial("7f3a9c011b"), "7F3A 9C01 1B");
  EXPECT_EQ(group_serial("7F:3A"), "7F:3A");  // not bare hex: as given
  EXPECT_EQ(group_serial(""), "");
}

}  // namespace
}  // namespace onshi::util
