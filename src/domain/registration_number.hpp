#pragma once
// 適格請求書発行事業者登録番号: "T" and 13 digits. For a corporation the digits are its 法人番号,
// whose first digit checks the other twelve (法人番号の指定等に関する省令 第2条): 9 - (sum of
// P_n x Q_n, n = 1..12 from the right, Q_n = 1 for odd n and 2 for even, mod 9).
#include <expected>
#include <string>
#include <string_view>

namespace onshi::domain {

enum class RegistrationNumberError { bad_format, bad_check_digit };

std::string_view error_key(RegistrationNumberError e);  // "registration_number.bad_format", ...

// The number as printed ("T7000012050002"); a full-width or lower-case t is taken too.
std::expected<std::string, RegistrationNumberError> parse_registration_number(
    std::string_view typed);

}  // namespace onshi::domain
