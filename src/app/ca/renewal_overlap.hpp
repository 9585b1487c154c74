#pragma once
// A certificate replaced by renewal (a renewal application's issuance or EST re-enrolment) stays
// valid until its successor is picked up and then pki.renewal_overlap_days longer, so that the
// vendor can switch the terminal over without a gap; then the scheduler revokes it (superseded).
// A successor never picked up leaves it valid until it expires.
#include "app/core/services.hpp"

namespace onshi::app {

// One housekeeping run: revokes what is due, each with its audit record (actor system, why
// renewed) and one mail per institution listing its certificates, in one transaction. Safe on
// several nodes at once: each revocation is one guarded statement, so a certificate is revoked,
// audited and mailed once. Returns how many it revoked.
int revoke_renewed_certificates(const Services& s);

}  // namespace onshi::app
