#pragma once
// The back office's roles (審査, 発行, 管理); what each may do is app/office/operators.hpp's.
#include <optional>
#include <string_view>

namespace onshi::domain {

enum class Role { reviewer, issuer, admin };            // 審査, 発行, 管理
std::optional<Role> parse_role(std::string_view text);  // "reviewer", "issuer", "admin"
std::string_view role_key(Role role);

}  // namespace onshi::domain
