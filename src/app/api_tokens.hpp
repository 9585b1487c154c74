#pragma once
// API tokens for vendors' systems: made by an operator for an account, shown once, stored hashed.
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "app/accounts.hpp"
#include "app/services.hpp"

namespace onshi::app {

enum class ApiTokenError { no_such_account, no_such_token, empty_label };

struct NewApiToken {
  store::Id id = 0;
  std::string token;  // the only time it is known in clear
};
std::expected<NewApiToken, ApiTokenError> create_api_token(const Services& s,
                                                           std::string_view email,
                                                           std::string_view label);
std::expected<std::vector<store::ApiToken>, ApiTokenError> list_api_tokens(const Services& s,
                                                                           std::string_view email);
std::expected<void, ApiTokenError> revoke_api_token(const Services& s, std::string_view email,
                                                    store::Id id);

// The account a bearer token acts for, or nothing (unknown, revoked, disabled account).
std::optional<SessionUser> resolve_api_token(const Services& s, std::string_view token);

}  // namespace onshi::app
