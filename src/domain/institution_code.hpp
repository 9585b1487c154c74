#pragma once
// 医療機関コード: the 7-digit code (郡市区番号 2 + 医療機関等番号 4 + 検証番号 1) and the 10-digit
// form used on claims (都道府県番号 2 + 点数表番号 1 + the 7 digits). docs/domain.md has the rules.
#include <expected>
#include <string>
#include <string_view>

namespace onshi::domain {

// Why a typed code was refused, most basic reason first (the UI shows one message per field).
enum class InstitutionCodeError {
  empty,                // nothing but spaces and hyphens
  invalid_characters,   // something other than digits, spaces and hyphens
  wrong_length,         // not 10 digits (or 7 for parse_code7)
  unknown_prefecture,   // 都道府県番号 outside 01-47
  unknown_score_table,  // 点数表番号 not 1, 3, 4 or 6
  check_digit,          // 検証番号 does not match
};

// Stable message-catalogue key, e.g. "institution_code.check_digit".
std::string_view error_key(InstitutionCodeError error);

// 検証番号 over the 6 digits 郡市区番号 + 医療機関等番号 (modulus 10, weights 2,1,... from the
// right, digits of each product summed). `six` must be exactly 6 ASCII digits.
int institution_check_digit(std::string_view six);

// 点数表番号: which fee schedule the institution bills under.
enum class ScoreTable { medical = 1, dental = 3, pharmacy = 4, home_nursing = 6 };

class InstitutionCode {
 public:
  // Accepts full-width digits, spaces, and hyphens (including ー and other dash-like marks)
  // anywhere; what remains must be exactly 10 digits with a known prefecture, score table and check
  // digit.
  static std::expected<InstitutionCode, InstitutionCodeError> parse(std::string_view typed);

  const std::string& digits() const { return digits_; }  // "1310123455"
  // "13-1-0123455": 都道府県番号, 点数表番号, then the 7-digit code as printed on documents.
  std::string formatted() const;
  int prefecture() const;   // 1-47 (JIS X 0401)
  int score_table() const;  // 1, 3, 4 or 6
  ScoreTable score_table_kind() const { return static_cast<ScoreTable>(score_table()); }
  std::string code7() const { return digits_.substr(3); }  // "0123455"

  friend bool operator==(const InstitutionCode&, const InstitutionCode&) = default;

 private:
  explicit InstitutionCode(std::string digits) : digits_(std::move(digits)) {}
  std::string digits_;
};

// The 7-digit form alone (same input leniency); returns the 7 ASCII digits.
std::expected<std::string, InstitutionCodeError> parse_code7(std::string_view typed);

// "0123455" -> "01-2345-5": 郡市区番号, 医療機関等番号, 検証番号. `code7` must be 7 digits.
std::string format_code7(std::string_view code7);

}  // namespace onshi::domain
