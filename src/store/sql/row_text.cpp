#include "store/sql/row_text.hpp"

#include <stdexcept>

namespace onshi::store::sql {

KeySource parse_key_source(std::string_view text) {
  if (text == "csr") return KeySource::csr;
  if (text == "generated") return KeySource::generated;
  throw std::runtime_error("certificates: unknown key_source '" + std::string(text) + "'");
}

PickupClosed parse_pickup_closed(std::string_view text) {
  for (auto how : {PickupClosed::completed, PickupClosed::lapsed, PickupClosed::replaced,
                   PickupClosed::voided, PickupClosed::expired}) {
    if (pickup_closed_name(how) == text) return how;
  }
  throw std::runtime_error("certificates: unknown pickup_closed_how '" + std::string(text) + "'");
}

domain::CertificateApplicationState parse_application_state(const std::string& text) {
  if (const auto s = domain::parse_state(text)) return *s;
  throw std::runtime_error("certificate_applications: unknown status '" + text + "'");
}

domain::CertificateState parse_certificate_state(const std::string& text) {
  if (const auto s = domain::parse_certificate_state(text)) return *s;
  throw std::runtime_error("certificates: unknown status '" + text + "'");
}

}  // namespace onshi::store::sql
