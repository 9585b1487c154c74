#pragma once
// Certificates stored before migration 0013 do not say which issuing CA signed them; the CRL and
// the OCSP responder of each CA generation select by it, so `onshi serve` fills it in at start.
#include "app/core/services.hpp"

namespace onshi::app {

// Reads the authorityKeyIdentifier from the DER of every certificate that lacks its issuer key
// id and stores it, a batch per transaction: how many it filled in. Safe on two nodes at once
// (each row is set only while it is NULL).
int fill_in_issuer_key_ids(const Services& s);

}  // namespace onshi::app
