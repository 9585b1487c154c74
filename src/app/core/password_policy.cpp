#include "app/core/password_policy.hpp"

#include <fmt/format.h>

#include <fstream>

#include "util/text.hpp"

namespace onshi::app {

PasswordPolicy PasswordPolicy::load(const std::filesystem::path& common_list) {
  std::ifstream in(common_list);
  if (!in) throw std::runtime_error(fmt::format("cannot read {}", common_list.string()));
  std::unordered_set<std::string> common;
  for (std::string line; std::getline(in, line);) {
    const auto t = util::trim(line);
    if (!t.empty() && !t.starts_with('#')) common.insert(util::ascii_lower(t));
  }
  return PasswordPolicy(std::move(common));
}

std::optional<std::string> PasswordPolicy::problem(std::string_view password,
                                                   std::string_view email) const {
  if (!util::is_valid_utf8(password) || util::has_control_chars(password))
    return "password.invalid";
  const auto length = util::code_points(password);
  if (length < kMinCodePoints) return "password.too_short";
  if (length > kMaxCodePoints) return "password.too_long";
  const auto lowered = util::ascii_lower(password);
  if (common_.contains(lowered)) return "password.common";
  if (!email.empty()) {
    const auto mail = util::ascii_lower(email);
    const auto local = mail.substr(0, mail.find('@'));
    if (lowered == mail || (local.size() >= 4 && lowered.find(local) != std::string::npos)) {
      return "password.contains_email";
    }
  }
  return std::nullopt;
}

}  // namespace onshi::app
