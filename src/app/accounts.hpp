#pragma once
// Portal accounts: registration with e-mail verification, login with throttling, logout,
// password change and reset. Each function is one user action and one transaction.
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "app/services.hpp"

namespace onshi::app {

struct RegistrationInput {
  std::string email;
  std::string password;
  std::string password_confirm;
  std::string institution_code;
  std::string institution_name;
};
std::expected<void, FieldErrors> register_account(const Services& s, const RegistrationInput& in);

enum class TokenError { invalid_or_expired };
// Consumes the single-use link from the verification mail.
std::expected<void, TokenError> verify_email(const Services& s, std::string_view token);

enum class LoginError { bad_credentials, throttled };
struct LoginResult {
  std::string session_token;  // goes into the cookie; the database keeps only its hash
};
// `replacing_session`: the session cookie the browser sent, if any; a successful login ends it.
std::expected<LoginResult, LoginError> login(const Services& s, std::string_view email,
                                             std::string_view password,
                                             std::string_view replacing_session = {});

// Who is behind a session cookie, or nothing (unknown, expired, disabled account).
struct SessionUser {
  store::Account account;
  store::Institution institution;
  std::string session_token;
};
std::optional<SessionUser> resolve_session(const Services& s, std::string_view session_token);
void logout(const Services& s, std::string_view session_token);

// The server's secret that binds CSRF tokens to sessions: made on first use and kept in the
// database, so that forms stay valid across restarts and between processes.
std::string csrf_key(const Services& s);

struct PasswordChangeInput {
  std::string current_password;
  std::string new_password;
  std::string new_password_confirm;
};
struct PasswordChangeFailure {
  bool throttled = false;  // too many wrong current passwords: the login's lock applies
  FieldErrors errors;
};
// Ends every other session of the account and mails a notice. A wrong current password counts as
// a failed login of the account.
std::expected<void, PasswordChangeFailure> change_password(const Services& s,
                                                           const SessionUser& user,
                                                           const PasswordChangeInput& in);

// Mails a reset link when the address belongs to an account; does the same visible thing when not.
void request_password_reset(const Services& s, std::string_view email);

struct PasswordResetInput {
  std::string token;
  std::string new_password;
  std::string new_password_confirm;
};
struct ResetFailure {
  bool invalid_token = false;
  FieldErrors errors;
};
std::expected<void, ResetFailure> reset_password(const Services& s, const PasswordResetInput& in);

// Used by the CLI: an account an operator vouches for, verified at once.
struct AccountCreation {
  std::string email;
  std::string institution_code;
  std::string institution_name;
  std::string password;
};
std::expected<store::Id, FieldErrors> create_verified_account(const Services& s,
                                                              const AccountCreation& in);
enum class DisableError { no_such_account };
std::expected<void, DisableError> set_account_disabled(const Services& s, std::string_view email,
                                                       bool disabled);

// Every account with its institution (onshi account list).
std::vector<store::AccountSummary> list_accounts(const Services& s);

// The comparison key of an e-mail as typed: NFKC, trimmed, lower-cased.
std::string email_key(std::string_view typed);

}  // namespace onshi::app
