#include "domain/institution_name.hpp"

#include "util/text.hpp"

namespace onshi::domain {

std::string_view error_key(InstitutionNameError error) {
  switch (error) {
    case InstitutionNameError::empty:
      return "institution_name.empty";
    case InstitutionNameError::too_long:
      return "institution_name.too_long";
    case InstitutionNameError::control_characters:
      return "institution_name.control_characters";
  }
  return "institution_name.invalid";
}

std::expected<std::string, InstitutionNameError> parse_institution_name(std::string_view typed) {
  const util::Normalized normalized = util::nfkc(typed);
  if (!normalized.valid_utf8) return std::unexpected(InstitutionNameError::control_characters);
  // Surrounding whitespace (a pasted trailing newline or tab) is dropped; inside, it is refused.
  const std::string_view text = util::trim(normalized.text);
  if (text.empty()) return std::unexpected(InstitutionNameError::empty);
  if (util::has_control_chars(text))
    return std::unexpected(InstitutionNameError::control_characters);
  if (util::code_points(text) > max_institution_name_length) {
    return std::unexpected(InstitutionNameError::too_long);
  }
  return std::string(text);
}

}  // namespace onshi::domain
