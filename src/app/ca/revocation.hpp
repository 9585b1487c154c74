#pragma once
// 失効 by an operator (CPIPCS 4.9): any certificate, with one of the RFC 5280 reasons the CPS
// allows, effective at once, in one transaction with its audit record and the institution's mail.
// A revoked certificate never becomes valid again. The institution's own requests (マイページ,
// the API) are own_revocation.hpp; certificates never picked up, unpicked_revocation.hpp.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "app/core/services.hpp"
#include "app/office/operators.hpp"
#include "domain/certificate_state.hpp"
#include "store/records.hpp"

namespace onshi::app {

struct RevocationRequest {
  // 発行番号 (its current certificate) or a serial (any generation; raw, with colons or in fours)
  std::string certificate;
  std::string reason;  // RFC 5280 name: keyCompromise, affiliationChanged, superseded, ...
  // keyCompromise only: since when the key is known or suspected to be compromised,
  // a date (YYYY-MM-DD, from its start in Japan), not after today.
  std::optional<std::string> compromised_since;
};

// The certificate as revoked. invalid (fields reason: admin_revocation.reason_missing when empty,
// revocation.reason_unknown; compromised_since: revocation.*),
// not_found certificate.not_found, conflict certificate.already_revoked /
// certificate.already_expired, forbidden review.forbidden for a reviewer.
Result<store::CertificateRecord> revoke_certificate(const Services& s, const Actor& who,
                                                    const RevocationRequest& request);

// What the back office's confirmation shows: the certificate as it is now, if revoke_certificate
// would revoke it; the same refusals, nothing changed.
Result<store::CertificateRecord> check_revocation(const Services& s, const Actor& who,
                                                  const RevocationRequest& request);

// The reasons an operator may choose, in the order the form lists them (CPIPCS 4.9.1).
std::span<const domain::RevocationReason> operator_revocation_reasons();

// `onshi admin certificates list`.
std::vector<store::CertificateRecord> list_certificates(const Services& s,
                                                        const store::CertificateFilter& filter);

}  // namespace onshi::app
