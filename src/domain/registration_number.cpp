#include "domain/registration_number.hpp"

#include "util/text.hpp"

namespace onshi::domain {

std::string_view error_key(RegistrationNumberError e) {
  return e == RegistrationNumberError::bad_check_digit ? "registration_number.bad_check_digit"
                                                       : "registration_number.bad_format";
}

std::expected<std::string, RegistrationNumberError> parse_registration_number(
    std::string_view typed) {
  const auto text = util::nfkc(typed).text;
  if (text.size() != 14 || (text[0] != 'T' && text[0] != 't'))
    return std::unexpected(RegistrationNumberError::bad_format);
  for (std::size_t i = 1; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return std::unexpected(RegistrationNumberError::bad_format);
  }
  int sum = 0;
  for (int n = 1; n <= 12; ++n) {
    const int digit = text[14 - n] - '0';
    sum += digit * (n % 2 == 1 ? 1 : 2);
  }
  if (text[1] - '0' != 9 - sum % 9)
    return std::unexpected(RegistrationNumberError::bad_check_digit);
  std::string out = "T";
  out.append(text, 1);
  return out;
}

}  // namespace onshi::domain
