#include "domain/postal_code.hpp"

#include "util/text.hpp"

namespace onshi::domain {

std::string_view error_key(PostalCodeError error) {
  switch (error) {
    case PostalCodeError::required:
      return "postal_code.required";
    case PostalCodeError::format:
      return "postal_code.format";
  }
  return "postal_code.invalid";
}

std::string_view error_key(AddressLineError error) {
  switch (error) {
    case AddressLineError::required:
      return "address_line.required";
    case AddressLineError::too_long:
      return "address_line.too_long";
    case AddressLineError::control_characters:
      return "address_line.control_characters";
  }
  return "address_line.invalid";
}

std::expected<PostalCode, PostalCodeError> PostalCode::parse(std::string_view typed) {
  if (!util::is_valid_utf8(typed)) return std::unexpected(PostalCodeError::format);
  const std::string normalized = util::normalize_code_input(typed);
  std::string_view rest = normalized;
  // 〒 (U+3012; NFKC has already turned 〶 into it), then any spaces after it.
  constexpr std::string_view mark = "\u3012";
  if (rest.starts_with(mark)) rest = util::trim(rest.substr(mark.size()));
  if (rest.empty()) return std::unexpected(PostalCodeError::required);

  std::string digits;
  std::size_t separator_at = std::string::npos;  // digits before the one hyphen/space group
  bool in_separator = false;
  for (char c : rest) {
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
      in_separator = false;
    } else if (c == '-' || c == ' ') {
      // One group of hyphens and spaces ("104 - 0061"), and only between the 3rd and 4th digit.
      if (!in_separator) {
        if (separator_at != std::string::npos) return std::unexpected(PostalCodeError::format);
        separator_at = digits.size();
        in_separator = true;
      }
    } else {
      return std::unexpected(PostalCodeError::format);
    }
  }
  if (digits.size() != 7) return std::unexpected(PostalCodeError::format);
  if (separator_at != std::string::npos && separator_at != 3) {
    return std::unexpected(PostalCodeError::format);
  }
  return PostalCode(std::move(digits));
}

std::string PostalCode::display() const {
  return digits_.substr(0, 3) + "-" + digits_.substr(3);
}

std::expected<std::string, AddressLineError> parse_address_line(std::string_view typed) {
  const util::Normalized normalized = util::nfkc(typed);
  if (!normalized.valid_utf8) return std::unexpected(AddressLineError::control_characters);
  // Surrounding whitespace (a pasted trailing newline) is dropped; inside, control characters are
  // refused (a newline would split the address on the letter).
  const std::string_view text = util::trim(normalized.text);
  if (text.empty()) return std::unexpected(AddressLineError::required);
  if (util::has_control_chars(text)) return std::unexpected(AddressLineError::control_characters);
  if (util::code_points(text) > max_address_line_length) {
    return std::unexpected(AddressLineError::too_long);
  }
  return std::string(text);
}

}  // namespace onshi::domain
