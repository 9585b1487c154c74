// Registration and e-mail verification against a temporary SQLite database.
#include <gtest/gtest.h>

#include "app/accounts/accounts.hpp"
#include "app_test_env.hpp"
#include "support/error_of.hpp"

namespace onshi::app {
namespace {

using onshi::test::error_of;

using namespace std::chrono_literals;

constexpr std::string_view kVerifySubject = "【医療機関等向けポータルサイト】メールアドレスの確認";
constexpr std::string_view kAlreadySubject =
    "【医療機関等向けポータルサイト】アカウント登録について";
constexpr std::string_view kPassword = "correct horse battery";

class RegisterTest : public ::testing::Test {
 protected:
  RegistrationInput input(std::string email = "staff@clinic.example.jp",
                          std::string code = "1310123455") const {
    return {std::move(email), std::string(kPassword), std::string(kPassword), std::move(code),
            "医療法人テスト会 テストクリニック"};
  }

  // Registers and returns the token from the verification mail.
  std::string register_and_get_token(const RegistrationInput& in) {
    const auto before = env.due_mail().size();
    EXPECT_TRUE(register_account(env.services, in).has_value());
    const auto mails = env.due_mail();
    EXPECT_EQ(mails.size(), before + 1);
    if (mails.size() != before + 1) return {};
    return test::token_after(mails.back().body, "/verify?token=");
  }

  std::size_t account_count() {
    std::size_t n = 0;
    env.db->read([&](store::ReadTx& tx) { n = tx.accounts().list_accounts().size(); });
    return n;
  }

  test::TestEnv env;
};

TEST_F(RegisterTest, QueuesVerificationMailWithLinkOnItsOwnLine) {
  ASSERT_TRUE(register_account(env.services, input()).has_value());
  const auto mails = env.due_mail();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].to, "staff@clinic.example.jp");
  EXPECT_EQ(mails[0].subject, kVerifySubject);
  EXPECT_EQ(mails[0].attempts, 0);
  // base_url was given with a trailing '/': the link must not hold "//verify".
  EXPECT_NE(mails[0].body.find("\nhttp://portal.test/verify?token="), std::string::npos)
      << mails[0].body;
  EXPECT_EQ(mails[0].body.find("//verify"), std::string::npos);
  EXPECT_NE(mails[0].body.find("医療法人テスト会 テストクリニック"), std::string::npos);
  EXPECT_TRUE(mails[0].message_id.ends_with("@fask.or.jp>")) << mails[0].message_id;
  const auto token = test::token_after(mails[0].body, "/verify?token=");
  EXPECT_EQ(token.size(), 43u);  // 32 random bytes, base64url without padding
}

TEST_F(RegisterTest, StoresAnUnverifiedAccountAndItsInstitution) {
  ASSERT_TRUE(register_account(env.services, input("Staff@Clinic.Example.JP", "13-1-0123455")));
  env.db->read([&](store::ReadTx& tx) {
    const auto account = tx.accounts().find_account_by_email_key("staff@clinic.example.jp");
    ASSERT_TRUE(account.has_value());
    EXPECT_FALSE(account->verified_at.has_value());
    EXPECT_NE(account->password_hash, kPassword);
    const auto institution = tx.accounts().find_institution_by_code("1310123455");
    ASSERT_TRUE(institution.has_value());
    EXPECT_EQ(institution->id, account->institution_id);
    EXPECT_EQ(institution->name, "医療法人テスト会 テストクリニック");
  });
}

TEST_F(RegisterTest, LoginBeforeVerificationIsRefusedLikeAWrongPassword) {
  const auto token = register_and_get_token(input());
  ASSERT_FALSE(token.empty());
  const auto result = login(env.services, "staff@clinic.example.jp", kPassword);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(error_of(result).key, "login.failed");
}

TEST_F(RegisterTest, VerificationTokenWorksOnceThenLoginSucceeds) {
  const auto token = register_and_get_token(input());
  ASSERT_FALSE(token.empty());
  ASSERT_TRUE(verify_email(env.services, token).has_value());
  const auto again = verify_email(env.services, token);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(error_of(again).key, "link.invalid");
  EXPECT_TRUE(login(env.services, "staff@clinic.example.jp", kPassword).has_value());
}

TEST_F(RegisterTest, VerificationTokenStillValidJustBefore24Hours) {
  const auto token = register_and_get_token(input());
  env.clock.advance(24h - 1s);
  EXPECT_TRUE(verify_email(env.services, token).has_value());
}

TEST_F(RegisterTest, VerificationTokenExpiresAfter24Hours) {
  const auto token = register_and_get_token(input());
  env.clock.advance(25h);
  EXPECT_FALSE(verify_email(env.services, token).has_value());
  EXPECT_FALSE(login(env.services, "staff@clinic.example.jp", kPassword).has_value());
}

TEST_F(RegisterTest, UnknownOrAlteredTokensAreInvalid) {
  const auto token = register_and_get_token(input());
  ASSERT_FALSE(token.empty());
  EXPECT_FALSE(verify_email(env.services, "").has_value());
  EXPECT_FALSE(verify_email(env.services, "not-a-token").has_value());
  EXPECT_FALSE(verify_email(env.services, token.substr(0, token.size() - 1)).has_value());
  EXPECT_FALSE(verify_email(env.services, token + "x").has_value());
  EXPECT_TRUE(verify_email(env.services, token).has_value());
}

TEST_F(RegisterTest, ExistingEmailAnswersSuccessButMailsTheOwnerInstead) {
  ASSERT_FALSE(register_and_get_token(input()).empty());
  // Same address in another case, another institution: the form must not reveal the account.
  const auto second =
      register_account(env.services, input("STAFF@clinic.example.jp", "2710123455"));
  EXPECT_TRUE(second.has_value());
  const auto mails = env.due_mail();
  ASSERT_EQ(mails.size(), 2u);
  EXPECT_EQ(mails[1].subject, kAlreadySubject);
  EXPECT_EQ(mails[1].body.find("/verify?token="), std::string::npos);
  EXPECT_NE(mails[1].body.find("http://portal.test/password/forgot"), std::string::npos);
  EXPECT_EQ(account_count(), 1u);
  env.db->read([&](store::ReadTx& tx) {
    EXPECT_FALSE(tx.accounts().find_institution_by_code("2710123455").has_value());
  });
}

// The probe: a taken institution code answered 422 「すでに登録されています」 while a taken e-mail
// answered 200, so the form told which codes (and, by elimination, e-mails) were registered.
TEST_F(RegisterTest, TakenInstitutionCodeAnswersSuccessButMailsTheTruth) {
  ASSERT_FALSE(register_and_get_token(input()).empty());
  const auto second =
      register_account(env.services, input("other@clinic.example.jp", "１３－１－０１２３４５５"));
  EXPECT_TRUE(second.has_value()) << "the same answer as a new registration";
  const auto mails = env.due_mail();
  ASSERT_EQ(mails.size(), 2u);
  EXPECT_EQ(mails[1].to, "other@clinic.example.jp");
  EXPECT_EQ(mails[1].subject, kAlreadySubject);
  EXPECT_NE(mails[1].body.find("医療機関コード 13-1-0123455 のアカウント登録"), std::string::npos)
      << mails[1].body;
  EXPECT_NE(mails[1].body.find("http://portal.test/password/forgot"), std::string::npos);
  EXPECT_EQ(mails[1].body.find("/verify?token="), std::string::npos);
  EXPECT_EQ(account_count(), 1u);
  env.db->read([&](store::ReadTx& tx) {
    store::AuditFilter f;
    f.action_prefix = "account.register_code_taken";
    EXPECT_EQ(tx.audit().audit_entries(f).size(), 1u);
  });
}

TEST_F(RegisterTest, InvalidFieldsAreAllReportedAndNothingIsStored) {
  RegistrationInput in{"not-an-address", "short", "short", "1310123456", ""};
  const auto result = register_account(env.services, in);
  ASSERT_FALSE(result.has_value());
  std::vector<std::string> fields;
  for (const auto& e : error_of(result).fields) fields.push_back(e.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"email", "password", "institution_code",
                                              "institution_name"}));
  for (const auto& e : error_of(result).fields) {
    EXPECT_TRUE(env.messages.has(e.key)) << "no message for " << e.key;
  }
  EXPECT_EQ(error_of(result).fields[1].key, "password.too_short");
  EXPECT_EQ(error_of(result).fields[2].key, "institution_code.check_digit");
  EXPECT_EQ(env.due_mail().size(), 0u);
  EXPECT_EQ(account_count(), 0u);
}

TEST_F(RegisterTest, PasswordConfirmationMustMatch) {
  auto in = input();
  in.password_confirm = std::string(kPassword) + "!";
  const auto result = register_account(env.services, in);
  ASSERT_FALSE(result.has_value());
  ASSERT_EQ(error_of(result).fields.size(), 1u);
  EXPECT_EQ(error_of(result).fields[0].field, "password_confirm");
  EXPECT_EQ(error_of(result).fields[0].key, "password.mismatch");
  EXPECT_EQ(account_count(), 0u);
}

TEST_F(RegisterTest, CreateVerifiedAccountCanLogInAtOnceAndRefusesADuplicate) {
  const AccountCreation in{"ops@clinic.example.jp", "1310123455", "デモクリニック",
                           std::string(kPassword)};
  const auto id = create_verified_account(env.services, in);
  ASSERT_TRUE(id.has_value());
  EXPECT_GT(*id, 0);
  EXPECT_TRUE(login(env.services, "ops@clinic.example.jp", kPassword).has_value());
  const auto again = create_verified_account(env.services, in);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(error_of(again).fields[0].key, "email.taken");
  // An operator may add a second account to a known institution.
  const auto second = create_verified_account(
      env.services,
      {"ops2@clinic.example.jp", "1310123455", "デモクリニック", std::string(kPassword)});
  ASSERT_TRUE(second.has_value());
  env.db->read([&](store::ReadTx& tx) {
    EXPECT_EQ(tx.accounts().find_account(*id)->institution_id,
              tx.accounts().find_account(*second)->institution_id);
  });
  EXPECT_EQ(env.due_mail().size(), 0u);
}

TEST(EmailKey, NormalisesWidthCaseAndSpaces) {
  EXPECT_EQ(email_key("  Staff@Example.JP "), "staff@example.jp");
  EXPECT_EQ(email_key("ｓｔａｆｆ＠ｅｘａｍｐｌｅ．ｊｐ"), "staff@example.jp");
  EXPECT_EQ(email_key("\xFF"), "");
}

}  // namespace
}  // namespace onshi::app
