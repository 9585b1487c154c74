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
    bool zero = true;
    std::string out;
    out.reserve(32);
    for (unsigned char b : bytes) {
      zero = zero && b == 0;
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0x0f]);
    }
    if (!zero) return out;
  }
}

}  // namespace onshi::pki
