#pragma once
// API tokens for vendors' systems: made by an operator for an account, shown once, stored hashed.
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "app/accounts/accounts.hpp"
#include "app/core/services.hpp"

namespace onshi::app {

struct NewApiToken {
  store::Id id = 0;
  std::string token;  // the only time it is known in clear
};
// These fail not_found api_token.no_such_account or api_token.no_such_token, or invalid
// api_token.empty_label.
Result<NewApiToken> create_api_token(const Services& s, std::string_view email,
                                     std::string_view label);
Result<std::vector<store::ApiToken>> list_api_tokens(const Services& s, std::string_view email);
Result<> revoke_api_token(const Services& s, std::string_view email, store::Id id);

// The account a bearer token acts for, or nothing (unknown, revoked, disabled account).
std::optional<SessionUser> resolve_api_token(const Services& s, std::string_view token);

}  // namespace onshi::app
