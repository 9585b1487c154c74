#pragma once
// Japanese telephone numbers as typed on the forms: fixed lines (10 digits, 0 + area code +
// subscriber number), mobile (070/080/090 + 8), IP phones (050 + 8), and the toll-free and
// navigation numbers institutions list as contacts (0120 + 6, 0800 + 7, 0570 + 6).
#include <expected>
#include <string>
#include <string_view>

namespace onshi::domain {

enum class PhoneKind { fixed, mobile, ip_phone, toll_free, navi_dial };

enum class PhoneNumberError {
  empty,
  invalid_characters,  // something other than digits, spaces, hyphens and parentheses
  not_domestic,        // does not start with 0 (international form and short numbers refused)
  unsupported_prefix,  // 020 (pagers / M2M), 0180, 0990 and other numbers nobody answers
  wrong_length,        // the right length depends on the prefix
};

std::string_view error_key(PhoneNumberError error);  // "phone_number.wrong_length", ...

class PhoneNumber {
 public:
  // NFKC first, so full-width digits and ー work; "(03) 1234-5678" is fine too.
  static std::expected<PhoneNumber, PhoneNumberError> parse(std::string_view typed);

  const std::string& digits() const { return digits_; }  // "0312345678"
  PhoneKind kind() const { return kind_; }
  // With hyphens. Mobile, IP and special numbers have fixed groups (090-1234-5678,
  // 0120-123-456); for fixed lines the area-code length varies (1-5 digits) and needs the
  // MIC table onshi does not ship, so the grouping the person typed is kept when it adds up,
  // else the digits are shown ungrouped.
  const std::string& formatted() const { return formatted_; }

  friend bool operator==(const PhoneNumber& a, const PhoneNumber& b) {
    return a.digits_ == b.digits_;
  }

 private:
  PhoneNumber(std::string digits, PhoneKind kind, std::string formatted)
      : digits_(std::move(digits)), kind_(kind), formatted_(std::move(formatted)) {}
  std::string digits_;
  PhoneKind kind_;
  std::string formatted_;
};

}  // namespace onshi::domain
