#pragma once
// The enums the repositories keep as text, both ways.
#include <string>
#include <string_view>

#include "store/records.hpp"

namespace onshi::store::sql {

// The column's text as the enum; a text no build wrote is a corrupt row (throws).
KeySource parse_key_source(std::string_view text);
PickupClosed parse_pickup_closed(std::string_view text);
domain::CertificateApplicationState parse_application_state(const std::string& text);
domain::CertificateState parse_certificate_state(const std::string& text);
inline std::string text_of(domain::CertificateApplicationState s) {
  return std::string(domain::state_key(s));
}
inline std::string text_of(domain::CertificateState s) {
  return std::string(domain::state_key(s));
}

}  // namespace onshi::store::sql
