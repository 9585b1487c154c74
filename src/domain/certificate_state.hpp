#pragma once
// One terminal's client certificate: 発行済 (issued, not yet picked up) -> 有効 (picked up) ->
// 失効 (revoked, with an RFC 5280 reason) or 期限切れ (past notAfter). Only these functions change
// the state.
#include <chrono>
#include <expected>
#include <optional>
#include <string_view>

namespace onshi::domain {

enum class CertificateState {
  issued,   // 発行済 (未取得)
  active,   // 有効
  revoked,  // 失効
  expired,  // 期限切れ
};

// CRLReason, RFC 5280 section 5.3.1 (the numbers are the ASN.1 values; 7 is unused).
enum class RevocationReason {
  unspecified = 0,
  key_compromise = 1,
  ca_compromise = 2,
  affiliation_changed = 3,
  superseded = 4,
  cessation_of_operation = 5,
  certificate_hold = 6,
  remove_from_crl = 8,
  privilege_withdrawn = 9,
  aa_compromise = 10,
};

enum class CertificateError {
  not_issued,          // pick_up needs 発行済
  already_revoked,     // revoke / pick_up of a revoked certificate
  already_expired,     // anything but expire after notAfter
  not_yet_expired,     // expire before notAfter
  reason_not_allowed,  // certificate_hold, remove_from_crl, aa_compromise (see below)
  unknown_reason,      // a number that is not an RFC 5280 reason
};

std::string_view error_key(CertificateError error);  // "certificate.not_issued", ...
std::string_view state_key(CertificateState state);  // "issued", "active", "revoked", "expired"
// The inverse of state_key; nothing for a text that is no state.
std::optional<CertificateState> parse_certificate_state(std::string_view key);
std::string_view reason_key(RevocationReason reason);  // "keyCompromise" (RFC 5280 spelling)

// From the number in a CRL entry or an API request; unknown_reason for 7 and anything > 10.
std::expected<RevocationReason, CertificateError> revocation_reason_from_code(int code);

// Whether onshi accepts the reason for revoking a terminal certificate: the five of CPIPCS 4.9.1
// (unspecified, keyCompromise, affiliationChanged, superseded, cessationOfOperation). It never
// suspends (certificateHold, removeFromCRL), cACompromise belongs to CA certificates (the ARL),
// and privilegeWithdrawn and aACompromise concern attribute certificates it does not issue.
bool revocation_reason_allowed(RevocationReason reason);

using CertificateResult = std::expected<CertificateState, CertificateError>;

// 発行済 -> 有効, when the pickup happens before notAfter.
CertificateResult pick_up(CertificateState from, std::chrono::sys_seconds now,
                          std::chrono::sys_seconds not_after);
// 発行済 or 有効 -> 失効 (an unpicked certificate can be revoked too: a lost notice letter).
CertificateResult revoke(CertificateState from, RevocationReason reason);
// 発行済 or 有効 -> 期限切れ, once now >= notAfter.
CertificateResult expire(CertificateState from, std::chrono::sys_seconds now,
                         std::chrono::sys_seconds not_after);

}  // namespace onshi::domain
