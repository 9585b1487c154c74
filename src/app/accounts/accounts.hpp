#pragma once
// Portal accounts: registration with e-mail verification, login with throttling, logout,
// password change and reset. Each function is one user action and one transaction.
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "app/core/services.hpp"

namespace onshi::app {

struct RegistrationInput {
  std::string email;
  std::string password;
  std::string password_confirm;
  std::string institution_code;
  std::string institution_name;
};
Result<> register_account(const Services& s, const RegistrationInput& in);

// Consumes the single-use link from the verification mail; unauthenticated link.invalid when it is
// unknown, used or expired.
Result<> verify_email(const Services& s, std::string_view token);

struct LoginResult {
  std::string session_token;  // goes into the cookie; the database keeps only its hash
};
// `replacing_session`: the session cookie the browser sent, if any; a successful login ends it.
// Fails throttled login.throttled, or unauthenticated login.failed (which never says whether the
// address has an account).
Result<LoginResult> login(const Services& s, std::string_view email, std::string_view password,
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
// Ends every other session of the account and mails a notice. A wrong current password counts as
// a failed login of the account: invalid (the fields), or throttled password.change_throttled
// when too many wrong current passwords hold the login's lock.
Result<> change_password(const Services& s, const SessionUser& user, const PasswordChangeInput& in);

// Mails a reset link when the address belongs to an account; does the same visible thing when not.
void request_password_reset(const Services& s, std::string_view email);

struct PasswordResetInput {
  std::string token;
  std::string new_password;
  std::string new_password_confirm;
};
// invalid (the new password's fields), or unauthenticated link.invalid.
Result<> reset_password(const Services& s, const PasswordResetInput& in);

// Used by the CLI: an account an operator vouches for, verified at once.
struct AccountCreation {
  std::string email;
  std::string institution_code;
  std::string institution_name;
  std::string password;
};
Result<store::Id> create_verified_account(const Services& s, const AccountCreation& in);
// not_found account.not_found for an unknown address.
Result<> set_account_disabled(const Services& s, std::string_view email, bool disabled);

// Every account with its institution (onshi account list).
std::vector<store::AccountSummary> list_accounts(const Services& s);

// The comparison key of an e-mail as typed: NFKC, trimmed, lower-cased.
std::string email_key(std::string_view typed);

}  // namespace onshi::app
