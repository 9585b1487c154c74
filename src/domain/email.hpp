#pragma once
// E-mail addresses as typed on the registration form: practical validation, not full RFC 5322.
// The portal mails application receipts here, so the address must be deliverable-looking, and
// Japanese carrier addresses with dots in odd places (taro..yamada.@docomo.ne.jp) must pass.
#include <expected>
#include <string>
#include <string_view>

namespace onshi::domain {

enum class EmailError {
  empty,                // nothing typed
  invalid_characters,   // not UTF-8, or control characters
  missing_at,           // no '@'
  multiple_at,          // more than one '@'
  local_part_empty,     // nothing before '@'
  local_part_too_long,  // more than 64 octets before '@'
  local_part_invalid,   // a character other than printable ASCII atext and '.' before '@'
  domain_invalid,       // the domain is not a valid (internationalised) host name
  domain_single_label,  // the domain has no dot ("example", "localhost")
  too_long,             // more than 254 octets in all (domain counted in its ASCII form)
};

std::string_view error_key(EmailError error);  // "email.missing_at", ...

// NFKC (full-width letters and ＠ become ASCII), trimmed; the domain is lower-cased and kept in its
// Unicode form ("例え.jp" stays readable; "XN--R8JZ45G.JP" becomes "例え.jp"). The local part is
// kept as typed: case may matter to the receiving server.
std::expected<std::string, EmailError> parse_email(std::string_view typed);

}  // namespace onshi::domain
