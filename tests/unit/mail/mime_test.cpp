#include "mail/mime.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>

#include "mail_test_support.hpp"
#include "util/text.hpp"

namespace onshi::mail {
namespace {

using test_support::base64_decode;
using test_support::decode_encoded_word;
using test_support::decode_header_value;
using test_support::parse_mail;

constexpr std::string_view kFold = "\r\n ";
const std::string kVerifySubject = "【医療機関等向けポータルサイト】メールアドレスの確認";

std::chrono::system_clock::time_point unix_time(long long seconds) {
  return std::chrono::system_clock::time_point{std::chrono::seconds{seconds}};
}

// 2026-11-24 11:00:00 UTC, i.e. 20:00 in Tokyo.
const auto kTuesdayEvening = unix_time(1795518000);

std::vector<std::string> split_words(const std::string& folded) {
  std::vector<std::string> words;
  std::size_t pos = 0;
  while (true) {
    const auto next = folded.find(kFold, pos);
    words.push_back(folded.substr(pos, next - pos));
    if (next == std::string::npos) break;
    pos = next + kFold.size();
  }
  return words;
}

// Checks every property encode_header_word promises and returns the decoded text.
std::string check_encoded_words(const std::string& encoded) {
  std::string decoded;
  for (const std::string& word : split_words(encoded)) {
    EXPECT_LE(word.size(), 75U) << word;
    const auto payload = decode_encoded_word(word);
    EXPECT_TRUE(payload.has_value()) << "not an encoded-word: " << word;
    if (!payload) continue;
    EXPECT_TRUE(util::is_valid_utf8(*payload)) << "word splits a UTF-8 sequence: " << word;
    decoded += *payload;
  }
  return decoded;
}

MailMessage japanese_message() {
  return {.from = "portal@fask.or.jp",
          .to = "clinic@example.jp",
          .subject = kVerifySubject,
          .body_text = "以下のリンクを開いてください。\nhttps://portal.example/verify?token=abc\n"};
}

TEST(EncodeHeaderWord, PlainAsciiIsLeftAsIs) {
  EXPECT_EQ(encode_header_word("Your account: please verify"), "Your account: please verify");
  EXPECT_EQ(encode_header_word(""), "");
}

TEST(EncodeHeaderWord, AsciiThatLooksLikeAnEncodedWordIsEncoded) {
  const std::string text = "=?UTF-8?B?SGk=?= is literal";
  const std::string encoded = encode_header_word(text);
  EXPECT_NE(encoded, text);
  EXPECT_EQ(check_encoded_words(encoded), text);
}

TEST(EncodeHeaderWord, JapaneseSubjectDecodesBack) {
  const std::string encoded = encode_header_word(kVerifySubject);
  EXPECT_TRUE(encoded.starts_with("=?UTF-8?B?")) << encoded;
  EXPECT_EQ(check_encoded_words(encoded), kVerifySubject);
  EXPECT_EQ(decode_header_value(encoded), kVerifySubject);
}

TEST(EncodeHeaderWord, LongSubjectIsSplitIntoShortWordsOnCharacterBoundaries) {
  std::string subject;
  const std::string kana = "あいうえおかきくけこ";  // 10 characters of 3 bytes each
  for (int i = 0; i < 10; ++i) subject += kana;
  ASSERT_EQ(util::code_points(subject), 100U);

  const std::string encoded = encode_header_word(subject);
  EXPECT_GT(split_words(encoded).size(), 1U);
  EXPECT_EQ(check_encoded_words(encoded), subject);
  EXPECT_EQ(decode_header_value(encoded), subject);
}

TEST(EncodeHeaderWord, MixedSequenceLengthsNeverSplit) {
  // 1-, 2-, 3- and 4-byte sequences, so word boundaries fall at every offset within a sequence.
  std::string subject;
  for (int i = 0; i < 30; ++i) subject += "aé漢😀";
  const std::string encoded = encode_header_word(subject);
  EXPECT_EQ(check_encoded_words(encoded), subject);
}

TEST(EncodeHeaderWord, ControlCharactersAreEncodedNotPassedThrough) {
  const std::string encoded = encode_header_word("line\r\nBcc: victim@example.jp");
  EXPECT_EQ(encoded.find("\r\nBcc"), std::string::npos);
  EXPECT_EQ(check_encoded_words(encoded), "line\r\nBcc: victim@example.jp");
}

TEST(RenderMime, HasAllHeadersInOrder) {
  const std::string raw = render_mime(japanese_message(), kTuesdayEvening, "<abc@fask.or.jp>");
  const auto mail = parse_mail(raw);
  std::vector<std::string> names;
  for (const auto& header : mail.headers) names.push_back(header.first);
  EXPECT_EQ(names,
            (std::vector<std::string>{"Date", "From", "To", "Subject", "Message-ID", "MIME-Version",
                                      "Content-Type", "Content-Transfer-Encoding"}));
  EXPECT_EQ(mail.header("From"), "portal@fask.or.jp");
  EXPECT_EQ(mail.header("To"), "clinic@example.jp");
  EXPECT_EQ(mail.header("Message-ID"), "<abc@fask.or.jp>");
  EXPECT_EQ(mail.header("MIME-Version"), "1.0");
  EXPECT_EQ(mail.header("Content-Type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(mail.header("Content-Transfer-Encoding"), "base64");
  EXPECT_EQ(decode_header_value(mail.header("Subject").value_or("")), kVerifySubject);
}

TEST(RenderMime, DateIsRenderedInJapanStandardTime) {
  const auto date_of = [](std::chrono::system_clock::time_point t) {
    return parse_mail(render_mime(japanese_message(), t, "<x@y>")).header("Date");
  };
  EXPECT_EQ(date_of(kTuesdayEvening), "Tue, 24 Nov 2026 20:00:00 +0900");
  // 2026-12-31 15:30:05 UTC is already New Year in Tokyo.
  EXPECT_EQ(date_of(unix_time(1798731005)), "Fri, 01 Jan 2027 00:30:05 +0900");
  // Sub-second parts are dropped, not rounded.
  EXPECT_EQ(date_of(kTuesdayEvening + std::chrono::milliseconds{999}),
            "Tue, 24 Nov 2026 20:00:00 +0900");
  // Before the epoch: floor, not truncation towards zero.
  EXPECT_EQ(date_of(unix_time(-32401)), "Wed, 31 Dec 1969 23:59:59 +0900");
}

TEST(RenderMime, UsesCrlfLineEndingsAndShortLines) {
  MailMessage message = japanese_message();
  message.subject.clear();
  for (int i = 0; i < 40; ++i) message.subject += "再設定";
  message.body_text = std::string(500, 'x') + "\n" + "改行\r\nCR only\rend";
  const std::string raw = render_mime(message, kTuesdayEvening, "<a@b>");
  bool only_crlf = false;
  const auto lines = test_support::crlf_lines(raw, &only_crlf);
  EXPECT_TRUE(only_crlf);
  EXPECT_TRUE(raw.ends_with("\r\n"));
  for (const std::string& line : lines) EXPECT_LE(line.size(), 76U) << line;
}

TEST(RenderMime, BodyIsBase64OfCrlfNormalisedText) {
  MailMessage message = japanese_message();
  message.body_text = "一行目\n二行目\r\nthree\rfour\n\n" + std::string(200, 'z');
  const std::string raw = render_mime(message, kTuesdayEvening, "<a@b>");
  const auto mail = parse_mail(raw);
  EXPECT_EQ(base64_decode(mail.body),
            "一行目\r\n二行目\r\nthree\r\nfour\r\n\r\n" + std::string(200, 'z'));

  bool only_crlf = false;
  const auto lines = test_support::crlf_lines(mail.body, &only_crlf);
  ASSERT_GT(lines.size(), 1U);
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) EXPECT_EQ(lines[i].size(), 76U);
  EXPECT_LE(lines.back().size(), 76U);
}

TEST(RenderMime, EmptyBodyGivesEmptyBody) {
  MailMessage message = japanese_message();
  message.body_text.clear();
  const std::string raw = render_mime(message, kTuesdayEvening, "<a@b>");
  EXPECT_TRUE(raw.ends_with("Content-Transfer-Encoding: base64\r\n\r\n")) << raw;
}

TEST(RenderMime, AsciiSubjectIsNotEncoded) {
  MailMessage message = japanese_message();
  message.subject = "Welcome";
  EXPECT_EQ(parse_mail(render_mime(message, kTuesdayEvening, "<a@b>")).header("Subject"),
            "Welcome");
}

TEST(RenderMime, MessageIdGetsAngleBracketsWhenMissing) {
  EXPECT_EQ(parse_mail(render_mime(japanese_message(), kTuesdayEvening, "id-1@fask.or.jp"))
                .header("Message-ID"),
            "<id-1@fask.or.jp>");
}

TEST(RenderMime, JapaneseDisplayNameIsEncoded) {
  MailMessage message = japanese_message();
  message.from = "医療機関等向けポータルサイト <portal@fask.or.jp>";
  message.to = "\"山田 太郎\" <yamada@example.jp>";
  const auto mail = parse_mail(render_mime(message, kTuesdayEvening, "<a@b>"));
  const std::string from = mail.header("From").value_or("");
  const std::string to = mail.header("To").value_or("");
  EXPECT_TRUE(from.starts_with("=?UTF-8?B?")) << from;
  EXPECT_EQ(decode_header_value(from), "医療機関等向けポータルサイト <portal@fask.or.jp>");
  EXPECT_EQ(decode_header_value(to), "山田 太郎 <yamada@example.jp>");
}

TEST(RenderMime, NonAsciiAddressIsABug) {
  MailMessage message = japanese_message();
  message.to = "やまだ@example.jp";
  EXPECT_THROW(render_mime(message, kTuesdayEvening, "<a@b>"), std::invalid_argument);
}

TEST(RenderMime, LineBreaksInHeaderFieldsAreRejected) {
  for (const std::string bad : {"\r\n", "\n", "\r"}) {
    MailMessage from = japanese_message();
    from.from = "portal@fask.or.jp" + bad + "Bcc: victim@example.jp";
    EXPECT_THROW(render_mime(from, kTuesdayEvening, "<a@b>"), std::invalid_argument);

    MailMessage to = japanese_message();
    to.to = "clinic@example.jp" + bad + "Bcc: victim@example.jp";
    EXPECT_THROW(render_mime(to, kTuesdayEvening, "<a@b>"), std::invalid_argument);

    MailMessage subject = japanese_message();
    subject.subject = "件名" + bad + "Bcc: victim@example.jp";
    EXPECT_THROW(render_mime(subject, kTuesdayEvening, "<a@b>"), std::invalid_argument);

    EXPECT_THROW(render_mime(japanese_message(), kTuesdayEvening, "<a@b>" + bad + "X: y"),
                 std::invalid_argument);
  }
}

TEST(RenderMime, LineBreaksInTheBodyAreFine) {
  MailMessage message = japanese_message();
  message.body_text = "Bcc: not-a-header@example.jp\r\n\r\n.\r\n";
  EXPECT_NO_THROW(render_mime(message, kTuesdayEvening, "<a@b>"));
}

}  // namespace
}  // namespace onshi::mail
