// Password change (logged in) and reset (by e-mailed link).
#include <gtest/gtest.h>

#include "app/accounts/accounts.hpp"
#include "app/accounts/login_rules.hpp"
#include "app_test_env.hpp"
#include "support/error_of.hpp"

namespace onshi::app {
namespace {

using onshi::test::error_of;

using namespace std::chrono_literals;

constexpr std::string_view kEmail = "staff@clinic.example.jp";
constexpr std::string_view kPassword = "correct horse battery";
constexpr std::string_view kNewPassword = "purple monkey dishwasher";
constexpr std::string_view kResetSubject =
    "【医療機関等向けポータルサイト】パスワード再設定のご案内";

class PasswordTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(create_verified_account(env.services, {std::string(kEmail), "1310123455",
                                                       "テストクリニック", std::string(kPassword)})
                    .has_value());
  }

  SessionUser logged_in() {
    auto r = login(env.services, kEmail, kPassword);
    EXPECT_TRUE(r.has_value());
    auto user = resolve_session(env.services, r ? r->session_token : "");
    EXPECT_TRUE(user.has_value());
    return user ? *user : SessionUser{};
  }

  // Requests a reset and returns the token from the mail.
  std::string reset_token() {
    const auto before = env.due_mail().size();
    request_password_reset(env.services, kEmail);
    const auto mails = env.due_mail();
    EXPECT_EQ(mails.size(), before + 1);
    if (mails.size() != before + 1) return {};
    EXPECT_EQ(mails.back().subject, kResetSubject);
    EXPECT_EQ(mails.back().to, kEmail);
    return test::token_after(mails.back().body, "http://portal.test/password/reset?token=");
  }

  PasswordResetInput reset_input(std::string token) const {
    return {std::move(token), std::string(kNewPassword), std::string(kNewPassword)};
  }

  test::TestEnv env;
};

TEST_F(PasswordTest, ChangeWithWrongCurrentPasswordIsAFieldError) {
  const auto user = logged_in();
  const auto r =
      change_password(env.services, user,
                      {"not my password", std::string(kNewPassword), std::string(kNewPassword)});
  ASSERT_FALSE(r.has_value());
  ASSERT_EQ(error_of(r).fields.size(), 1u);
  EXPECT_EQ(error_of(r).fields[0].field, "current_password");
  EXPECT_EQ(error_of(r).fields[0].key, "password.current_wrong");
  EXPECT_TRUE(login(env.services, kEmail, kPassword).has_value());
}

// The probe: 8 wrong current passwords, 8 answers, never slowed; a stolen session could guess
// without limit. They count with the login's throttle now.
TEST_F(PasswordTest, WrongCurrentPasswordsAreThrottledLikeLogins) {
  const auto user = logged_in();
  const PasswordChangeInput wrong{"not my password", std::string(kNewPassword),
                                  std::string(kNewPassword)};
  for (int i = 0; i < 5; ++i) {
    const auto r = change_password(env.services, user, wrong);
    ASSERT_FALSE(r.has_value());
    EXPECT_FALSE(error_of(r).is(FailureCode::throttled)) << "attempt " << i + 1;
    EXPECT_EQ(error_of(r).fields[0].key, "password.current_wrong");
  }
  const PasswordChangeInput right{std::string(kPassword), std::string(kNewPassword),
                                  std::string(kNewPassword)};
  const auto locked = change_password(env.services, user, right);
  ASSERT_FALSE(locked.has_value());
  EXPECT_TRUE(error_of(locked).is(FailureCode::throttled));
  ASSERT_EQ(error_of(locked).fields.size(), 1u);
  EXPECT_EQ(error_of(locked).fields[0].field, "current_password");
  EXPECT_EQ(error_of(locked).fields[0].key, "password.change_throttled");
  EXPECT_TRUE(env.messages.has("password.change_throttled"));
  EXPECT_EQ(error_of(login(env.services, kEmail, kPassword)).key, "login.throttled")
      << "one throttle for the account's password";
  env.clock.advance(std::chrono::seconds(env.config.login_lock_base_seconds));
  EXPECT_TRUE(change_password(env.services, user, right).has_value());
  env.db->read([&](store::ReadTx& tx) {
    EXPECT_EQ(tx.tokens().login_throttle(account_throttle(kEmail).key).failures, 0)
        << "a success clears the count";
    store::AuditFilter f;
    f.action_prefix = "password.change_failed";
    EXPECT_EQ(tx.audit().audit_entries(f).size(), 5u);
  });
}

TEST_F(PasswordTest, ChangeChecksTheNewPassword) {
  const auto user = logged_in();
  auto r = change_password(env.services, user, {std::string(kPassword), "short", "short"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(error_of(r).fields[0].field, "new_password");
  EXPECT_EQ(error_of(r).fields[0].key, "password.too_short");
  r = change_password(env.services, user,
                      {std::string(kPassword), std::string(kNewPassword), "something else"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(error_of(r).fields[0].field, "new_password_confirm");
  EXPECT_EQ(error_of(r).fields[0].key, "password.mismatch");
  r = change_password(env.services, user,
                      {std::string(kPassword), "staff-clinic-2026", "staff-clinic-2026"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(error_of(r).fields[0].key, "password.contains_email");
  EXPECT_EQ(env.due_mail().size(), 0u);
}

TEST_F(PasswordTest, ChangeReplacesThePasswordAndEndsOtherSessions) {
  const auto other = login(env.services, kEmail, kPassword);
  ASSERT_TRUE(other.has_value());
  const auto user = logged_in();
  ASSERT_TRUE(change_password(
                  env.services, user,
                  {std::string(kPassword), std::string(kNewPassword), std::string(kNewPassword)})
                  .has_value());
  EXPECT_TRUE(resolve_session(env.services, user.session_token).has_value());
  EXPECT_FALSE(resolve_session(env.services, other->session_token).has_value());
  EXPECT_FALSE(login(env.services, kEmail, kPassword).has_value());
  EXPECT_TRUE(login(env.services, kEmail, kNewPassword).has_value());
  const auto mails = env.due_mail();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].to, kEmail);
}

TEST_F(PasswordTest, ResetRequestForUnknownEmailEnqueuesNothing) {
  request_password_reset(env.services, "nobody@clinic.example.jp");
  request_password_reset(env.services, "");
  EXPECT_EQ(env.due_mail().size(), 0u);
  EXPECT_EQ(env.pending_mail(), 0);
}

TEST_F(PasswordTest, ResetWithTheMailedTokenWorksOnce) {
  const auto session = login(env.services, kEmail, kPassword);
  ASSERT_TRUE(session.has_value());
  const auto token = reset_token();
  ASSERT_EQ(token.size(), 43u);
  ASSERT_TRUE(reset_password(env.services, reset_input(token)).has_value());
  EXPECT_FALSE(login(env.services, kEmail, kPassword).has_value());
  EXPECT_TRUE(login(env.services, kEmail, kNewPassword).has_value());
  // Sessions from before the reset are ended.
  EXPECT_FALSE(resolve_session(env.services, session->session_token).has_value());
  const auto again = reset_password(env.services, reset_input(token));
  ASSERT_FALSE(again.has_value());
  EXPECT_TRUE(error_of(again).is(FailureCode::unauthenticated));
}

TEST_F(PasswordTest, ResetTokenExpiresAfterAnHour) {
  const auto token = reset_token();
  env.clock.advance(61min);
  const auto r = reset_password(env.services, reset_input(token));
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(error_of(r).is(FailureCode::unauthenticated));
  EXPECT_TRUE(login(env.services, kEmail, kPassword).has_value());
}

TEST_F(PasswordTest, ANewResetRequestVoidsTheEarlierLink) {
  const auto first = reset_token();
  const auto second = reset_token();
  ASSERT_NE(first, second);
  EXPECT_TRUE(
      error_of(reset_password(env.services, reset_input(first))).is(FailureCode::unauthenticated));
  EXPECT_TRUE(reset_password(env.services, reset_input(second)).has_value());
}

TEST_F(PasswordTest, ResetWithAWeakPasswordKeepsTheTokenUsable) {
  const auto token = reset_token();
  const auto weak = reset_password(env.services, {token, "password1234", "password1234"});
  ASSERT_FALSE(weak.has_value());
  EXPECT_FALSE(error_of(weak).is(FailureCode::unauthenticated));
  ASSERT_EQ(error_of(weak).fields.size(), 1u);
  EXPECT_EQ(error_of(weak).fields[0].field, "new_password");
  EXPECT_EQ(error_of(weak).fields[0].key, "password.common");
  EXPECT_TRUE(reset_password(env.services, reset_input(token)).has_value());
}

TEST_F(PasswordTest, ResetClearsTheLoginLock) {
  for (int i = 0; i < 5; ++i)
    ASSERT_FALSE(login(env.services, kEmail, "wrong password!").has_value());
  EXPECT_EQ(error_of(login(env.services, kEmail, kPassword)).key, "login.throttled");
  ASSERT_TRUE(reset_password(env.services, reset_input(reset_token())).has_value());
  EXPECT_TRUE(login(env.services, kEmail, kNewPassword).has_value());
}

TEST_F(PasswordTest, ResetTokenIsNotAVerificationToken) {
  const auto token = reset_token();
  EXPECT_FALSE(verify_email(env.services, token).has_value());
  EXPECT_TRUE(reset_password(env.services, reset_input(token)).has_value());
}

TEST_F(PasswordTest, ChangingThePasswordVoidsAPendingResetLink) {
  const auto token = reset_token();
  const auto user = logged_in();
  ASSERT_TRUE(change_password(
                  env.services, user,
                  {std::string(kPassword), std::string(kNewPassword), std::string(kNewPassword)})
                  .has_value());
  EXPECT_TRUE(
      error_of(reset_password(env.services, reset_input(token))).is(FailureCode::unauthenticated));
}

}  // namespace
}  // namespace onshi::app
