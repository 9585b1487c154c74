#pragma once
// Certificate serial numbers: 128 bits from the CSPRNG (CPIPCS 7.1.1), unique by a database
// constraint; on the rare collision the caller draws again.
#include <string>

namespace onshi::pki {

// 32 lower-case hex digits of a 16-octet positive integer: the top bit is clear, so its DER
// INTEGER needs no leading zero byte, and the top octet is non-zero, so the certificate's serial
// has exactly these 32 digits.
std::string random_serial_hex();

}  // namespace onshi::pki
