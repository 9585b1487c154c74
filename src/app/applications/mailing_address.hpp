#pragma once
// Where the 電子証明書発行通知書 goes: the 所在地 without a repeated prefecture and municipality,
// Japan Post's postcodes to fill the address in and to refuse a postcode of another municipality.
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "app/applications/certificate_applications.hpp"
#include "app/core/failure.hpp"
#include "app/core/services.hpp"

namespace onshi::app {

// The 所在地 as stored: parse_address_line, then the prefecture's and municipality's names
// dropped from its front (domain::address_after_municipality). Fails address_line.* (required,
// too_long, control_characters, mailing_address.municipality_only when nothing but the names was
// typed).
std::expected<std::string, FieldError> address_line_for(const Services& s, int prefecture,
                                                        const std::string& municipality_code,
                                                        const std::string& typed);

// What a postcode says: its prefecture and (first) municipality, and the 町域 names KEN_ALL
// gives there, empty names left out.
struct PostcodeAddress {
  std::string postal_code;  // 104-0061
  int prefecture = 0;
  std::string prefecture_name;
  std::string municipality_code;
  std::string municipality_name;
  std::vector<std::string> towns;
};
// Fails on the postal_code field: required, format, or mailing_address.unknown_postcode (not in
// Japan Post's data).
std::expected<PostcodeAddress, FieldError> postcode_address(const Services& s,
                                                            const std::string& typed);

// The refusal when a well-formed postcode does not belong to the municipality:
// mailing_address.unknown_postcode or postal_code.wrong_municipality (naming what it belongs to).
// Nothing when it matches, or when either is not valid (their own checks say so). A designated city
// accepts its wards' postcodes.
std::optional<FieldError> postcode_mismatch(const Services& s, const std::string& postal_code,
                                            const std::string& municipality_code);
std::optional<FieldError> postcode_mismatch(const Services& s,
                                            const store::CertificateApplicationRecord& a);

// The form's 郵便番号から住所を入力 without the page script: 都道府県, 市区町村 and, when 所在地 is
// empty, the 町域 set from the postcode. Nothing is saved; `errors` says why nothing was filled.
struct FilledForm {
  CertificateForm form;
  FieldErrors errors;
};
FilledForm fill_from_postcode(const Services& s, CertificateForm form);

}  // namespace onshi::app
