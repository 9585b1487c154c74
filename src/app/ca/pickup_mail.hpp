#pragma once
// What every download leaves behind, in the transaction that allows it: the first download makes
// the certificate 有効, each one is listed on マイページ, audited and mailed to the institution's
// contact (which certificate, when, from which address), so that a download nobody at the clinic
// made is noticed.
#include <string_view>

#include "app/core/services.hpp"
#include "store/database.hpp"
#include "store/records.hpp"

namespace onshi::app {

// The same in a transaction of its own, for a file made outside one: recorded only while `c` is
// still the number's current certificate and its pickup open, else conflict pickup.closed (and
// the file must not be handed over).
Result<> record_download_if_open(const Services& s, const store::CertificateRecord& c,
                                 std::string_view what, std::string_view client_address);

void record_download(const Services& s, store::WriteTx& tx, const store::CertificateRecord& c,
                     const store::CertificateApplicationRecord& application, std::string_view what,
                     std::string_view client_address, store::Millis now);

}  // namespace onshi::app
