#include "domain/institution_code.hpp"

#include "util/text.hpp"

namespace onshi::domain {

std::string_view error_key(InstitutionCodeError error) {
  switch (error) {
    case InstitutionCodeError::empty:
      return "institution_code.empty";
    case InstitutionCodeError::invalid_characters:
      return "institution_code.invalid_characters";
    case InstitutionCodeError::wrong_length:
      return "institution_code.wrong_length";
    case InstitutionCodeError::unknown_prefecture:
      return "institution_code.unknown_prefecture";
    case InstitutionCodeError::unknown_score_table:
      return "institution_code.unknown_score_table";
    case InstitutionCodeError::check_digit:
      return "institution_code.check_digit";
  }
  return "institution_code.invalid";
}

int institution_check_digit(std::string_view six) {
  int sum = 0;
  int weight = 2;  // the rightmost digit is multiplied by 2
  for (auto it = six.rbegin(); it != six.rend(); ++it) {
    const int product = (*it - '0') * weight;
    sum += product / 10 + product % 10;  // "12 counts as 1 + 2"
    weight = weight == 2 ? 1 : 2;
  }
  const int last = sum % 10;
  return last == 0 ? 0 : 10 - last;
}

namespace {

// Normalises what staff type (１２３, ー, spaces) and keeps only the digits; refuses anything else.
std::expected<std::string, InstitutionCodeError> digits_only(std::string_view typed) {
  if (!util::is_valid_utf8(typed)) return std::unexpected(InstitutionCodeError::invalid_characters);
  const std::string normalized = util::normalize_code_input(typed);
  std::string digits;
  for (char c : normalized) {
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else if (c != ' ' && c != '-' && c != '\t') {
      return std::unexpected(InstitutionCodeError::invalid_characters);
    }
  }
  if (digits.empty()) return std::unexpected(InstitutionCodeError::empty);
  return digits;
}

bool check_digit_matches(std::string_view code7) {
  return institution_check_digit(code7.substr(0, 6)) == code7[6] - '0';
}

}  // namespace

std::expected<InstitutionCode, InstitutionCodeError> InstitutionCode::parse(
    std::string_view typed) {
  auto digits = digits_only(typed);
  if (!digits) return std::unexpected(digits.error());
  if (digits->size() != 10) return std::unexpected(InstitutionCodeError::wrong_length);
  const int prefecture = ((*digits)[0] - '0') * 10 + ((*digits)[1] - '0');
  if (prefecture < 1 || prefecture > 47) {
    return std::unexpected(InstitutionCodeError::unknown_prefecture);
  }
  const char table = (*digits)[2];
  if (table != '1' && table != '3' && table != '4' && table != '6') {
    return std::unexpected(InstitutionCodeError::unknown_score_table);
  }
  if (!check_digit_matches(std::string_view(*digits).substr(3))) {
    return std::unexpected(InstitutionCodeError::check_digit);
  }
  return InstitutionCode(std::move(*digits));
}

std::string InstitutionCode::formatted() const {
  return digits_.substr(0, 2) + "-" + digits_.substr(2, 1) + "-" + digits_.substr(3);
}

int InstitutionCode::prefecture() const {
  return (digits_[0] - '0') * 10 + (digits_[1] - '0');
}

int InstitutionCode::score_table() const {
  return digits_[2] - '0';
}

std::expected<std::string, InstitutionCodeError> parse_code7(std::string_view typed) {
  auto digits = digits_only(typed);
  if (!digits) return std::unexpected(digits.error());
  if (digits->size() != 7) return std::unexpected(InstitutionCodeError::wrong_length);
  if (!check_digit_matches(*digits)) return std::unexpected(InstitutionCodeError::check_digit);
  return std::move(*digits);
}

std::string format_code7(std::string_view code7) {
  std::string out;
  out.append(code7.substr(0, 2)).append("-").append(code7.substr(2, 4)).append("-");
  out.append(code7.substr(6, 1));
  return out;
}

}  // namespace onshi::domain
