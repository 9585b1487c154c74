#pragma once
// Certificate serial numbers: 128 bits from the CSPRNG (CPIPCS 7.1.1), unique by a database
// constraint; on the rare collision the caller draws again.
#include <string>

namespace onshi::pki {

// 32 lower-case hex digits of a positive, non-zero integer whose top bit is clear, so that its
// DER INTEGER needs no leading zero byte and never exceeds 20 octets.
std::string random_serial_hex();

}  // namespace onshi::pki
