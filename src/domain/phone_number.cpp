#include "domain/phone_number.hpp"

#include <array>
#include <vector>

#include "util/text.hpp"

namespace onshi::domain {

std::string_view error_key(PhoneNumberError error) {
  switch (error) {
    case PhoneNumberError::empty:
      return "phone_number.empty";
    case PhoneNumberError::invalid_characters:
      return "phone_number.invalid_characters";
    case PhoneNumberError::not_domestic:
      return "phone_number.not_domestic";
    case PhoneNumberError::unsupported_prefix:
      return "phone_number.unsupported_prefix";
    case PhoneNumberError::wrong_length:
      return "phone_number.wrong_length";
  }
  return "phone_number.invalid";
}

namespace {

// `digits` in groups of `sizes`; the sizes add up to its length (checked before this is called).
std::string group(std::string_view digits, std::initializer_list<std::size_t> sizes) {
  std::string out;
  std::size_t at = 0;
  for (std::size_t size : sizes) {
    if (!out.empty()) out.push_back('-');
    out.append(digits.substr(at, size));
    at += size;
  }
  return out;
}

// The fixed groups of a number of that kind (mobile 3-4-4, toll-free 4-3-3 ...); none for fixed
// lines, whose grouping the caller keeps as typed.
struct Shape {
  PhoneKind kind;
  std::size_t length;
  std::array<std::size_t, 3> groups;
};

std::expected<Shape, PhoneNumberError> shape_of(const std::string& d) {
  auto starts = [&](std::string_view p) { return std::string_view(d).starts_with(p); };
  // 0800 first: it would otherwise look like an 080 mobile number.
  if (starts("0800")) return Shape{PhoneKind::toll_free, 11, {4, 3, 4}};
  if (starts("070") || starts("080") || starts("090"))
    return Shape{PhoneKind::mobile, 11, {3, 4, 4}};
  if (starts("050")) return Shape{PhoneKind::ip_phone, 11, {3, 4, 4}};
  if (starts("0120")) return Shape{PhoneKind::toll_free, 10, {4, 3, 3}};
  if (starts("0570")) return Shape{PhoneKind::navi_dial, 10, {4, 3, 3}};
  // Geographic numbers never have 0 as their second or third digit (a 市内局番 never starts
  // with 0): 00x is a carrier prefix, 010 the international prefix, 020 pagers and M2M, 030/040
  // are unassigned and 060 is FMC, none of which an institution gives as its contact line.
  // 0180 (telephone information) and 0990 (dial Q2) are not lines either.
  if (d.size() < 3 || d[1] == '0' || d[2] == '0' || starts("0180") || starts("0990")) {
    return std::unexpected(PhoneNumberError::unsupported_prefix);
  }
  return Shape{PhoneKind::fixed, 10, {}};
}

}  // namespace

std::expected<PhoneNumber, PhoneNumberError> PhoneNumber::parse(std::string_view typed) {
  if (!util::is_valid_utf8(typed)) return std::unexpected(PhoneNumberError::invalid_characters);
  const std::string normalized = util::normalize_code_input(typed);
  std::string digits;
  std::vector<std::size_t> groups{0};  // digits per group as typed, for fixed-line display
  for (char c : normalized) {
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
      ++groups.back();
    } else if (c == '-' || c == ' ' || c == '(' || c == ')') {
      if (groups.back() != 0) groups.push_back(0);
    } else {
      return std::unexpected(PhoneNumberError::invalid_characters);
    }
  }
  if (groups.back() == 0) groups.pop_back();
  if (digits.empty()) return std::unexpected(PhoneNumberError::empty);
  if (digits.front() != '0') return std::unexpected(PhoneNumberError::not_domestic);
  if (digits.size() < 3) return std::unexpected(PhoneNumberError::wrong_length);

  auto shape = shape_of(digits);
  if (!shape) return std::unexpected(shape.error());
  if (digits.size() != shape->length) return std::unexpected(PhoneNumberError::wrong_length);
  std::string formatted;
  if (shape->kind != PhoneKind::fixed) {
    // Grouped only now that the length is right: "050" alone has no second group to cut out.
    const auto& g = shape->groups;
    formatted = group(digits, {g[0], g[1], g[2]});
  } else {
    // Area code (incl. 0) 2-5 digits, 市内局番 1-4, subscriber number 4: keep that grouping.
    if (groups.size() == 3 && groups[0] >= 2 && groups[0] <= 5 && groups[2] == 4) {
      formatted = group(digits, {groups[0], groups[1], groups[2]});
    } else {
      formatted = digits;
    }
  }
  return PhoneNumber(std::move(digits), shape->kind, std::move(formatted));
}

}  // namespace onshi::domain
