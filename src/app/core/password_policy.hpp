#pragma once
// The password rules (docs/security.md): at least 12 characters (a passphrase of several words
// is welcome and usually longer), at most 256, not a well-known password, not the e-mail address.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

namespace onshi::app {

class PasswordPolicy {
 public:
  static constexpr std::size_t kMinCodePoints = 12;
  static constexpr std::size_t kMaxCodePoints = 256;

  // `common_list`: one password per line (data/common-passwords.txt); compared case-insensitively.
  static PasswordPolicy load(const std::filesystem::path& common_list);
  explicit PasswordPolicy(std::unordered_set<std::string> common) : common_(std::move(common)) {}

  // The message key of the first rule the password breaks, or nothing when it is acceptable.
  std::optional<std::string> problem(std::string_view password, std::string_view email) const;

 private:
  std::unordered_set<std::string> common_;
};

}  // namespace onshi::app
