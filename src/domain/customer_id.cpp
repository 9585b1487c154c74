#include "domain/customer_id.hpp"

#include "util/text.hpp"

namespace onshi::domain {

std::string_view error_key(CustomerIdError error) {
  switch (error) {
    case CustomerIdError::empty:
      return "customer_id.empty";
    case CustomerIdError::invalid_characters:
      return "customer_id.invalid_characters";
    case CustomerIdError::unknown_prefix:
      return "customer_id.unknown_prefix";
    case CustomerIdError::wrong_length:
      return "customer_id.wrong_length";
  }
  return "customer_id.invalid";
}

std::expected<CustomerId, CustomerIdError> CustomerId::parse(std::string_view typed) {
  if (!util::is_valid_utf8(typed)) return std::unexpected(CustomerIdError::invalid_characters);
  std::string compact;
  for (char c : util::normalize_code_input(typed)) {
    if (c == ' ' || c == '-' || c == '\t') continue;
    const bool digit = c >= '0' && c <= '9';
    const bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    if (!digit && !letter) return std::unexpected(CustomerIdError::invalid_characters);
    compact.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  }
  if (compact.empty()) return std::unexpected(CustomerIdError::empty);

  std::size_t digits_required = 0;
  if (compact.starts_with("CAF")) {
    digits_required = 10;
  } else if (compact.starts_with("COP")) {
    digits_required = 8;
  } else {
    return std::unexpected(CustomerIdError::unknown_prefix);
  }
  const std::string_view rest = std::string_view(compact).substr(3);
  for (char c : rest) {
    // A letter after the prefix is most often O typed for 0; report it as the wrong shape.
    if (c < '0' || c > '9') return std::unexpected(CustomerIdError::wrong_length);
  }
  if (rest.size() != digits_required) return std::unexpected(CustomerIdError::wrong_length);
  return CustomerId(std::move(compact));
}

}  // namespace onshi::domain
