#include "domain/email.hpp"

#include <unicode/idna.h>
#include <unicode/unistr.h>

#include <memory>

#include "util/text.hpp"

namespace onshi::domain {

std::string_view error_key(EmailError error) {
  switch (error) {
    case EmailError::empty:
      return "email.empty";
    case EmailError::invalid_characters:
      return "email.invalid_characters";
    case EmailError::missing_at:
      return "email.missing_at";
    case EmailError::multiple_at:
      return "email.multiple_at";
    case EmailError::local_part_empty:
      return "email.local_part_empty";
    case EmailError::local_part_too_long:
      return "email.local_part_too_long";
    case EmailError::local_part_invalid:
      return "email.local_part_invalid";
    case EmailError::domain_invalid:
      return "email.domain_invalid";
    case EmailError::domain_single_label:
      return "email.domain_single_label";
    case EmailError::too_long:
      return "email.too_long";
  }
  return "email.invalid";
}

namespace {

constexpr std::size_t max_local_octets = 64;     // RFC 5321 4.5.3.1.1
constexpr std::size_t max_address_octets = 254;  // RFC 5321 path limit minus the angle brackets

// RFC 5322 atext plus '.', placed anywhere: older Japanese mobile carriers issued addresses with
// consecutive dots or a dot before '@', and those people must still be able to register.
bool is_local_char(unsigned char c) {
  if (c >= 'a' && c <= 'z') return true;
  if (c >= 'A' && c <= 'Z') return true;
  if (c >= '0' && c <= '9') return true;
  static constexpr std::string_view specials = "!#$%&'*+-/=?^_`{|}~.";
  return specials.find(static_cast<char>(c)) != std::string_view::npos;
}

struct Domain {
  std::string ascii;    // xn-- form, for length limits
  std::string unicode;  // what we store and show
};

// UTS #46 (the IDNA processing browsers use): maps case and width, checks each label
// (hyphens, length <= 63, bidi and joiner rules) and gives both the ASCII and Unicode forms.
std::expected<Domain, EmailError> parse_domain(std::string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  static const std::unique_ptr<icu::IDNA> idna(icu::IDNA::createUTS46Instance(
      UIDNA_USE_STD3_RULES | UIDNA_CHECK_BIDI | UIDNA_CHECK_CONTEXTJ |
          UIDNA_NONTRANSITIONAL_TO_ASCII | UIDNA_NONTRANSITIONAL_TO_UNICODE,
      status));
  if (U_FAILURE(status) || !idna) return std::unexpected(EmailError::domain_invalid);

  const auto source = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  icu::IDNAInfo ascii_info;
  icu::UnicodeString ascii;
  idna->nameToASCII(source, ascii, ascii_info, status);
  if (U_FAILURE(status) || ascii_info.hasErrors())
    return std::unexpected(EmailError::domain_invalid);
  icu::IDNAInfo unicode_info;
  icu::UnicodeString unicode;
  idna->nameToUnicode(source, unicode, unicode_info, status);
  if (U_FAILURE(status) || unicode_info.hasErrors()) {
    return std::unexpected(EmailError::domain_invalid);
  }
  Domain domain;
  ascii.toUTF8String(domain.ascii);
  unicode.toUTF8String(domain.unicode);
  return domain;
}

}  // namespace

std::expected<std::string, EmailError> parse_email(std::string_view typed) {
  const util::Normalized normalized = util::nfkc(typed);
  if (!normalized.valid_utf8) return std::unexpected(EmailError::invalid_characters);
  const std::string_view text = util::trim(normalized.text);
  if (text.empty()) return std::unexpected(EmailError::empty);
  if (util::has_control_chars(text)) return std::unexpected(EmailError::invalid_characters);

  const auto at = text.find('@');
  if (at == std::string_view::npos) return std::unexpected(EmailError::missing_at);
  if (text.find('@', at + 1) != std::string_view::npos) {
    return std::unexpected(EmailError::multiple_at);
  }
  const std::string_view local = text.substr(0, at);
  const std::string_view domain_text = text.substr(at + 1);

  if (local.empty()) return std::unexpected(EmailError::local_part_empty);
  if (local.size() > max_local_octets) return std::unexpected(EmailError::local_part_too_long);
  for (unsigned char c : local) {
    if (!is_local_char(c)) return std::unexpected(EmailError::local_part_invalid);
  }

  // A trailing dot (root label) is legal in DNS but never meant in a form; UTS #46 would accept it.
  if (domain_text.empty() || domain_text.ends_with('.') || domain_text.starts_with('.')) {
    return std::unexpected(EmailError::domain_invalid);
  }
  if (domain_text.find('.') == std::string_view::npos) {
    return std::unexpected(EmailError::domain_single_label);
  }
  auto domain = parse_domain(domain_text);
  if (!domain) return std::unexpected(domain.error());
  if (domain->ascii.find('.') == std::string::npos) {
    return std::unexpected(EmailError::domain_single_label);
  }
  if (local.size() + 1 + domain->ascii.size() > max_address_octets) {
    return std::unexpected(EmailError::too_long);
  }
  return std::string(local) + "@" + domain->unicode;
}

}  // namespace onshi::domain
