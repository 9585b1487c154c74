#pragma once
// 失効 asked by the institution itself (CPIPCS 4.9.2, 4.9.3): from マイページ or over the JSON API,
// one or several of its own certificates, with one of the four reasons a clinic can tell, effective
// at once. The whole set is revoked in one transaction or none of it is; each certificate gets its
// audit record (actor the account), and one mail lists them to the account's address and to the
// contact of each application they came from.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/accounts/accounts.hpp"
#include "app/core/services.hpp"
#include "domain/certificate_state.hpp"
#include "store/records.hpp"

namespace onshi::app {

// The reasons offered to a clinic, in the order the form lists them (revocation.reason.* are
// their words): 端末の入替え・廃棄, 秘密鍵の漏えい・紛失の恐れ, 記載内容の変更, 利用の終了.
std::span<const domain::RevocationReason> institution_revocation_reasons();

struct OwnRevocationRequest {
  std::vector<std::string> numbers;  // 発行番号, typed loosely; repeats count once
  std::string reason;                // RFC 5280 name, one of institution_revocation_reasons()
  // keyCompromise only: since when (YYYY-MM-DD, from its start in Japan), not after today.
  std::optional<std::string> compromised_since;
  // The same key again (a double click, a vendor's retry) answers with what it revoked; empty:
  // nothing to recognise a repeat by.
  std::string idempotency_key;
};

struct OwnRevocation {
  std::vector<store::CertificateRecord> certificates;  // as revoked, in the request's order
  bool repeated = false;                               // the key's earlier request, unchanged
};

// What the confirmation page shows: the certificates as they are now, if the request would be
// done. Refusals as revoke_own_certificates's, nothing changed.
Result<std::vector<store::CertificateRecord>> check_own_revocation(
    const Services& s, const SessionUser& user, const OwnRevocationRequest& request);

// Refusals: invalid with fields certificates (own_revocation.none_chosen), reason
// (own_revocation.reason_missing / own_revocation.reason_unknown), compromised_since
// (revocation.*, date.*). For the certificates named: not_found certificate.not_found when any is
// unknown or another institution's (which look the same), else conflict with the first one's
// state (certificate.already_revoked / certificate.already_expired); either way `fields` lists
// every number at fault under "certificates" (own_revocation.not_found / .already_revoked /
// .already_expired, the number as argument). conflict own_revocation.key_reused for a key used
// before for another set.
Result<OwnRevocation> revoke_own_certificates(const Services& s, const SessionUser& user,
                                              const OwnRevocationRequest& request);

// The CN of an RFC 2253 subject ("serialNumber=…,CN=1310000001-T01,…"), or "".
std::string common_name_of(std::string_view subject);

}  // namespace onshi::app
