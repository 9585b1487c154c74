#pragma once
// The terminal certificate profile (CPIPCS 7.1.1). terminal_profile.cpp is the one place it is
// enforced; IssuingCa::issue calls it for keys from CSRs and for keys the CA generated.
#include "pki/keys.hpp"

#include <chrono>
#include <string>

namespace onshi::pki {

struct TerminalProfile {
  int validity_months = 39;
  std::string crl_url, ocsp_url, ca_issuers_url;  // from configuration (pki.crl_url, …)
  std::string delta_crl_url;                      // freshestCRL (pki.delta_crl_url); empty: none
  std::string policy_oid, cps_url;                // certificatePolicies only when policy_oid is set
  KeyAlgorithm generated_key = KeyAlgorithm::ec_p256;
};

struct TerminalSubject {
  std::string institution_code;  // 10 digits -> OU
  std::string institution_name;  // -> O; NFKC by the caller, cut here to 64 code points
  std::string terminal;          // "T01" -> CN "<code>-T01"
  std::string issuance_number;   // 発行番号 "C-00000123-01" -> serialNumber (PrintableString)
};

// `months` calendar months after `t` (truncated to the second) at the same time of day; when the
// target month is shorter the day becomes its last day (Nov 30 + 39 months = Feb 28 or 29).
std::chrono::system_clock::time_point add_months_clamped(std::chrono::system_clock::time_point t,
                                                         int months);

// The first `max_code_points` code points of UTF-8 `text` (never splits a character).
std::string truncate_code_points(std::string_view text, std::size_t max_code_points);

}  // namespace onshi::pki
