#pragma once
// The rows of 有効期限のお知らせ (migration 0018) and of the back office's plan of expiries.
#include <cstdint>
#include <string>

#include "store/records.hpp"

namespace onshi::store {

// A certificate an expiry reminder may be about (migration 0018): its number's current one,
// neither revoked nor replaced, with the application its mail also goes to.
struct ExpiringCertificate {
  Id certificate_id = 0;
  Id institution_id = 0;
  Id application_id = 0;
  std::string issuance_number;
  std::string terminal;
  std::string serial_hex;
  std::string subject;
  Millis not_after = 0;
  domain::CertificateState status = domain::CertificateState::issued;
  std::string institution_code;
  std::string institution_name;  // as the application gives it
  std::string contact_name;      // the application's ご担当者
  std::string contact_email;     // the application's address
  int prefecture = 0;            // of the application's address, 1-47
};

// The back office's plan of expiries: how many certificates of one prefecture expire in a span.
struct ExpiryCount {
  int prefecture = 0;
  std::int64_t certificates = 0;
};

}  // namespace onshi::store
