#pragma once
// Certificates never picked up (CPIPCS 4.4.4): once their pickup deadline is past by
// pki.unpicked_revocation_grace_days, nobody asked for a new letter in time and the scheduler
// revokes them (cessationOfOperation), destroying the key the CA generated. The grace leaves the
// desk time to reprint the letter (reprint_notice_letter renews the deadline of a certificate
// still 発行済, even after the deadline) for a clinic that calls late.
#include "app/core/services.hpp"

namespace onshi::app {

// One housekeeping run: revokes what is due, each with its audit record (actor system) and one
// mail per application listing its certificates. Safe to run on several nodes at once: each
// revocation is one guarded statement, so a certificate is revoked, audited and mailed once, and
// a reprint or a pickup that came first wins. Returns how many it revoked.
int revoke_unpicked_certificates(const Services& s);

}  // namespace onshi::app
