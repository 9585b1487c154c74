#include "domain/operator_role.hpp"

#include <stdexcept>

namespace onshi::domain {

std::optional<Role> parse_role(std::string_view text) {
  if (text == "reviewer") return Role::reviewer;
  if (text == "issuer") return Role::issuer;
  if (text == "admin") return Role::admin;
  return std::nullopt;
}

std::string_view role_key(Role role) {
  switch (role) {
    case Role::reviewer:
      return "reviewer";
    case Role::issuer:
      return "issuer";
    case Role::admin:
      return "admin";
  }
  throw std::logic_error("unknown role");
}

}  // namespace onshi::domain
