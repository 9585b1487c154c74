#pragma once
// An OCSP request as `openssl ocsp -no_nonce` sends it, for the benchmarks that post or answer
// real requests (ocsp_seed.cpp, scaling_bench.cpp).
#include <string>

#include "pki/ocsp.hpp"

namespace onshi::bench {

inline std::string tlv(unsigned char tag, const std::string& contents) {
  std::string out(1, static_cast<char>(tag));
  if (contents.size() < 0x80) {
    out.push_back(static_cast<char>(contents.size()));
  } else {
    out.append({'\x81', static_cast<char>(contents.size())});
  }
  return out.append(contents);
}

// OCSPRequest { TBSRequest { requestList { Request { CertID } } } } with a SHA-1 CertID.
inline std::string ocsp_request(const pki::OcspIssuer& issuer, const std::string& serial_hex) {
  std::string serial;
  for (std::size_t i = 0; i < serial_hex.size(); i += 2)
    serial.push_back(static_cast<char>(std::stoi(serial_hex.substr(i, 2), nullptr, 16)));
  if (static_cast<unsigned char>(serial.front()) & 0x80) serial.insert(0, 1, '\0');
  const std::string sha1 = tlv(0x30, tlv(0x06, "\x2b\x0e\x03\x02\x1a") + tlv(0x05, ""));
  const std::string cert_id = tlv(
      0x30, sha1 + tlv(0x04, issuer.sha1_name) + tlv(0x04, issuer.sha1_key) + tlv(0x02, serial));
  return tlv(0x30, tlv(0x30, tlv(0x30, tlv(0x30, cert_id))));
}

}  // namespace onshi::bench
