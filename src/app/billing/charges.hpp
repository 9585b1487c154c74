#pragma once
// 発行料 per certificate (CPIPCS 9.1): a charge row written in the transaction that stores the
// certificate, at the fee and tax rate of the schedule (data/fees.toml) on its issue date in
// Japan. Free generations (the terminal's own CSR in place of an unused generated key, a resent
// notice letter) never call this.
#include "app/core/services.hpp"
#include "store/database.hpp"

namespace onshi::app {

// Stores the charge of `stored` (as read back, with its id) issued for application `a`; paid as
// that application chose. Throws std::runtime_error when the schedule has no rate on the issue
// date (data/fees.toml must cover every day certificates are issued on) and std::logic_error when
// the certificate has a charge already.
void record_charge(const Services& s, store::WriteTx& tx, const store::CertificateRecord& stored,
                   const store::CertificateApplicationRecord& a, store::ChargeKind kind,
                   store::Millis now);

}  // namespace onshi::app
