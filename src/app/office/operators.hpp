#pragma once
// Back-office operators: created from the CLI, logging in with password and TOTP, with roles
// checked on every action. Each function is one action and one transaction.
#include <expected>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/core/services.hpp"
#include "domain/operator_role.hpp"

namespace onshi::app {

using domain::parse_role;
using domain::Role;
using domain::role_key;

// Who did it, for audit records and role checks: "operator:ID" on the pages, "cli:operator:ID"
// when the same operator works from the shell (onshi admin ... --operator LOGIN).
struct Actor {
  store::Id operator_id = 0;
  std::string login;
  Role role = Role::reviewer;
  bool via_cli = false;
  std::string audit_name() const;
};
// The operator named on the command line, with the role the database gives them; nothing when
// no such operator is active.
std::optional<Actor> cli_actor(const Services& s, std::string_view login);

// What each role may do. admin may do everything; reviewer reviews; issuer issues, prints and
// records registered mail.
enum class Permission { review, issue, letters, read_audit, billing };
bool allowed(Role role, Permission p);

struct OperatorCreation {
  std::string login;  // 3-32 of a-z 0-9 . _ -
  std::string display_name;
  std::string role;
  std::string password;
};
struct CreatedOperator {
  store::Id id = 0;
  std::string totp_secret;  // shown once, to put into the operator's authenticator app
  std::string totp_uri;     // otpauth://...
};
Result<CreatedOperator> create_operator(const Services& s, const OperatorCreation& in);
// not_found operator.not_found for an unknown login.
Result<> set_operator_disabled(const Services& s, std::string_view login, bool disabled);

// Password and the current TOTP code together; a code is accepted once. A successful login ends
// `replacing_session`, the back-office cookie the browser sent. Fails throttled
// operator_login.throttled or unauthenticated operator_login.bad_credentials.
Result<std::string /*session token*/> operator_login(const Services& s, std::string_view login,
                                                     std::string_view password,
                                                     std::string_view totp_code,
                                                     std::string_view replacing_session = {});

struct OperatorSessionUser {
  store::Operator op;
  Actor actor;
  std::string session_token;
};
std::optional<OperatorSessionUser> resolve_operator_session(const Services& s,
                                                            std::string_view token);
void operator_logout(const Services& s, std::string_view token);

// Every operator, disabled ones too, in id order (onshi operator list).
std::vector<store::Operator> list_operators(const Services& s);

// Every operator's display name by id (disabled ones too), to name the actors of past actions.
std::map<store::Id, std::string> operator_names(const Services& s);

}  // namespace onshi::app
