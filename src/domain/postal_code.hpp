#pragma once
// 郵便番号 and the rest of the address (所在地) typed on the certificate application form: the
// 電子証明書発行通知書 goes to that address by registered mail.
#include <cstddef>
#include <expected>
#include <string>
#include <string_view>

namespace onshi::domain {

enum class PostalCodeError {
  required,  // nothing but spaces (or a lone 〒)
  format,    // not 7 digits, as 1234567 or 123-4567
};

std::string_view error_key(PostalCodeError error);  // "postal_code.required", ...

class PostalCode {
 public:
  // NFKC first (full-width digits and －), dash-like marks (ー − ‐ …) count as hyphens; an
  // optional leading 〒 and spaces are dropped. Then exactly 7 digits, either run together or
  // split 3-4 by one hyphen or space: "〒１０４ー００６１" and "104 0061" are fine, "10-40061" is
  // not.
  static std::expected<PostalCode, PostalCodeError> parse(std::string_view typed);

  const std::string& digits() const { return digits_; }  // "1040061": what the database keeps
  std::string display() const;                           // "104-0061"

  friend bool operator==(const PostalCode& a, const PostalCode& b) {
    return a.digits_ == b.digits_;
  }

 private:
  explicit PostalCode(std::string digits) : digits_(std::move(digits)) {}
  std::string digits_;
};

// 所在地 after the municipality (町名・番地・建物名).
enum class AddressLineError {
  required,            // nothing but spaces
  too_long,            // more than max_address_line_length code points after NFKC
  control_characters,  // tabs, newlines, other control characters, or bytes that are not UTF-8
};

std::string_view error_key(AddressLineError error);  // "address_line.required", ...

// Longest accepted address line, in code points after NFKC. A 町名 + 番地 + a long building name
// and room number stays well under 100; more would not fit the notice letter's window envelope.
inline constexpr std::size_t max_address_line_length = 100;

// NFKC (full-width digits and letters become ASCII, half-width katakana full-width), trimmed of
// surrounding spaces (an ideographic space becomes an ASCII one first), 1..100 code points.
std::expected<std::string, AddressLineError> parse_address_line(std::string_view typed);

}  // namespace onshi::domain
