#include "pki/serial.hpp"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace onshi::pki {

std::string random_serial_hex() {
  static constexpr char kHex[] = "0123456789abcdef";
  for (;;) {
    std::array<unsigned char, 16> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
      throw std::runtime_error("RAND_bytes failed");
    }
    bytes[0] &= 0x7f;
    // A zero top byte would make the certificate's serial shorter than the 32 digits stored and
    // printed on the notice letter; drawing again costs 1 in 128 calls.
    if (bytes[0] == 0) continue;
    std::string out;
    out.reserve(32);
    for (unsigned char b : bytes) {
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0x0f]);
    }
    return out;
  }
}

}  // namespace onshi::pki
