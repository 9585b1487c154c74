// The message catalogue, the password policy (with the real data files) and audit details.
#include <gtest/gtest.h>

#include <fstream>

#include "app/core/messages.hpp"
#include "app/core/outbox.hpp"
#include "app/core/password_policy.hpp"
#include "app_test_env.hpp"

namespace onshi::app {
namespace {

const std::filesystem::path kSource = ONSHI_SOURCE_DIR;

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

TEST(Messages, LoadsTheRealCatalogue) {
  const auto m = Messages::load(kSource / "data/messages.ja.toml");
  EXPECT_EQ(m.get("login.failed"), "メールアドレスまたはパスワードが正しくありません。");
  EXPECT_EQ(m.get("http.404"), "ページが見つかりません。");
  EXPECT_EQ(m.get("institution_code.empty"), "医療機関コードを入力してください。");
  EXPECT_TRUE(m.has("password.too_short"));
  EXPECT_FALSE(m.has("password"));  // a section is not a message
  EXPECT_FALSE(m.has("no.such.key"));
}

TEST(Messages, MissingKeyThrowsOutOfRangeNamingTheKey) {
  const auto m = Messages::load(kSource / "data/messages.ja.toml");
  try {
    m.get("login.no_such_message");
    FAIL() << "no exception";
  } catch (const std::out_of_range& e) {
    EXPECT_NE(std::string(e.what()).find("login.no_such_message"), std::string::npos);
  }
}

TEST(Messages, BadFilesAreRefused) {
  test::TempDir dir;
  EXPECT_THROW(Messages::load(dir.path() / "absent.toml"), std::runtime_error);
  std::ofstream(dir.path() / "bad.toml") << "[a]\nb = \"ok\"\nc = \n";
  try {
    Messages::load(dir.path() / "bad.toml");
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.toml:3"), std::string::npos) << e.what();
  }
  std::ofstream(dir.path() / "number.toml") << "[a]\nb = 3\n";
  EXPECT_THROW(Messages::load(dir.path() / "number.toml"), std::runtime_error);
}

class PolicyTest : public ::testing::Test {
 protected:
  PasswordPolicy policy = PasswordPolicy::load(kSource / "data/common-passwords.txt");
  std::optional<std::string> problem(std::string_view password, std::string_view email = "") {
    return policy.problem(password, email);
  }
};

TEST_F(PolicyTest, CommonPasswordsAreRefusedIgnoringCase) {
  EXPECT_EQ(problem("password1234"), "password.common");
  EXPECT_EQ(problem("PassWord1234"), "password.common");
  EXPECT_EQ(problem("password1234x"), std::nullopt);
}

TEST_F(PolicyTest, LengthBoundariesInCodePoints) {
  EXPECT_EQ(problem("qzvbnmtrplk"), "password.too_short");  // 11
  EXPECT_EQ(problem("qzvbnmtrplkw"), std::nullopt);         // 12
  EXPECT_EQ(problem(""), "password.too_short");
  EXPECT_EQ(problem(repeat("x", 256)), std::nullopt);
  EXPECT_EQ(problem(repeat("x", 257)), "password.too_long");
  EXPECT_EQ(problem(repeat("あ", 256)), std::nullopt);  // 768 bytes
  EXPECT_EQ(problem(repeat("あ", 257)), "password.too_long");
}

TEST_F(PolicyTest, JapanesePassphrasesCountCharactersNotBytes) {
  const std::string twelve = "こんにちは世界よいてんき";
  ASSERT_EQ(twelve.size(), 36u);
  EXPECT_EQ(problem(twelve), std::nullopt);
  const std::string eleven = "こんにちは世界よいてん";
  EXPECT_EQ(problem(eleven), "password.too_short");
}

TEST_F(PolicyTest, ControlCharactersAndBadBytesAreInvalid) {
  EXPECT_EQ(problem("correct horse\tbattery"), "password.invalid");
  EXPECT_EQ(problem("correct horse\nbattery"), "password.invalid");
  EXPECT_EQ(problem("correct horse\x7f"
                    "battery"),
            "password.invalid");
  EXPECT_EQ(problem("correct horse\xc2\x85"
                    "battery"),
            "password.invalid");  // NEL (C1)
  EXPECT_EQ(problem("correct horse \xff battery"), "password.invalid");
  EXPECT_EQ(problem(std::string("correct horse\0battery", 21)), "password.invalid");
  EXPECT_EQ(problem("correct horse battery"), std::nullopt);  // spaces are fine
}

TEST_F(PolicyTest, PasswordMayNotContainTheEmail) {
  EXPECT_EQ(problem("tanaka-password-2026", "tanaka@clinic.example.jp"), "password.contains_email");
  EXPECT_EQ(problem("my TANAKA password", "Tanaka@clinic.example.jp"), "password.contains_email");
  EXPECT_EQ(problem("tanaka@clinic.jp", "tanaka@clinic.jp"), "password.contains_email");
  // Local parts shorter than 4 are too common a substring to refuse.
  EXPECT_EQ(problem("abc-long-passphrase", "abc@clinic.example.jp"), std::nullopt);
  EXPECT_EQ(problem("correct horse battery", "tanaka@clinic.example.jp"), std::nullopt);
}

TEST(PasswordPolicyLoad, ReadsOneLowerCasedEntryPerLineSkippingComments) {
  test::TempDir dir;
  std::ofstream(dir.path() / "list.txt") << "# a-comment-line-here\n  Spaced-Entry-123  \n\n";
  const auto p = PasswordPolicy::load(dir.path() / "list.txt");
  EXPECT_EQ(p.problem("spaced-entry-123", ""), "password.common");
  EXPECT_EQ(p.problem("# a-comment-line-here", ""), std::nullopt);
  EXPECT_THROW(PasswordPolicy::load(dir.path() / "absent.txt"), std::runtime_error);
}

TEST(AuditDetail, EscapesForJson) {
  EXPECT_EQ(audit_detail({}), "{}");
  EXPECT_EQ(audit_detail({{"email", "a@b.jp"}}), R"({"email":"a@b.jp"})");
  EXPECT_EQ(audit_detail({{"a", "say \"hi\""}, {"b", "C:\\dir"}}),
            R"({"a":"say \"hi\"","b":"C:\\dir"})");
  EXPECT_EQ(audit_detail({{"n", "line1\nline2"}}), R"({"n":"line1\nline2"})");
  EXPECT_EQ(audit_detail({{"c", "\t\r\x01\x1f"}}), R"({"c":"\u0009\u000d\u0001\u001f"})");
  EXPECT_EQ(audit_detail({{"c", std::string_view("a\0b", 3)}}), R"({"c":"a\u0000b"})");
  EXPECT_EQ(audit_detail({{"name", "デモクリニック"}}), R"({"name":"デモクリニック"})");
}

}  // namespace
}  // namespace onshi::app
