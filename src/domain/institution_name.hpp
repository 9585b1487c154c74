#pragma once
// 医療機関等名称 as typed on the registration form.
#include <cstddef>
#include <expected>
#include <string>
#include <string_view>

namespace onshi::domain {

enum class InstitutionNameError {
  empty,               // nothing but spaces
  too_long,            // more than max_institution_name_length code points after NFKC
  control_characters,  // tabs, newlines, other control characters, or bytes that are not UTF-8
};

std::string_view error_key(InstitutionNameError error);  // "institution_name.too_long", ...

// Longest accepted name, in code points after NFKC. Official names run to about 60 characters
// ("医療法人社団〇〇会 〇〇記念病院附属…"); 100 leaves room without letting a page overflow.
inline constexpr std::size_t max_institution_name_length = 100;

// NFKC (full-width ASCII and half-width katakana become the usual forms), trimmed of spaces
// (an ideographic space becomes an ASCII one first).
std::expected<std::string, InstitutionNameError> parse_institution_name(std::string_view typed);

}  // namespace onshi::domain
