#pragma once
// What every path to 失効 shares (inside app/ only): the operator's (revocation.cpp), the
// institution's own (own_revocation.cpp) and the scheduler's (unpicked_revocation.cpp). Each checks
// its input with these, then revokes in its own transaction with revoke_in, so that the state
// rules, the guarded update and the audit record are written once.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "app/core/services.hpp"
#include "domain/certificate_state.hpp"
#include "store/database.hpp"
#include "store/records.hpp"
#include "util/templates.hpp"

namespace onshi::app::revocation {

// The reason and keyCompromise's date as checked.
struct Choice {
  domain::RevocationReason reason = domain::RevocationReason::unspecified;
  std::optional<store::Millis> invalidity_date;  // the start in Japan of the date typed
};

// `reason` by its RFC 5280 name among `among`, and the date since when a key is compromised
// (keyCompromise only, a date not after today). invalid with fields reason (`missing_key` when
// empty, `unknown_key` otherwise) and compromised_since (revocation.* or the date's own key).
Result<Choice> check_choice(const Services& s, std::string_view reason,
                            const std::optional<std::string>& compromised_since,
                            std::span<const domain::RevocationReason> among,
                            const std::string& missing_key, const std::string& unknown_key);

// The catalogue key of what stops `c` from being revoked now (certificate.already_revoked,
// certificate.already_expired), or nothing.
std::optional<std::string> refusal_key(const store::CertificateRecord& c, store::Millis now);

// A serial as people paste it (upper case in fours from the pages, colons from openssl, raw) in
// the stored form; find_typed looks a 発行番号 up as its current certificate, anything else as a
// serial (the back office's pickup desk finds certificates the same way).
std::string serial_typed(std::string_view typed);
std::optional<store::CertificateRecord> find_typed(store::CertificatesReader& certs,
                                                   std::string_view typed);

// Revokes `c` at `now` with its audit record `certificate.revoke` by `actor` (its detail: serial,
// reason, invalidity date, then `extra`: who asked, as the path knows them); the certificate as
// revoked, or nothing when another transaction revoked it first (the guarded update found nothing
// to change).
std::optional<store::CertificateRecord> revoke_in(
    store::WriteTx& tx, const store::CertificateRecord& c, const Choice& choice,
    const std::string& actor, std::pair<std::string_view, std::string_view> extra,
    store::Millis now);

// One revoked certificate as the revocation mails list it: 発行番号, terminal, CN, serial in fours.
util::TemplateData mail_item(const store::CertificateRecord& c);

}  // namespace onshi::app::revocation
