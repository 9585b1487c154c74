// libFuzzer target: the OCSP request parser (src/pki/ocsp_request.cpp), the first code that reads
// what any relying party sends. Besides the sanitizers, it checks what the responder relies on
// in a request the parser accepts. Built by ./scripts/fuzz with clang, and by the main
// build into ocsp_request_replay (replay_main.cpp), which ./scripts/test runs over the corpus.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pki/ocsp_request.hpp"

namespace {

constexpr std::size_t kMaxCertificates = 10;

void require(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace onshi::pki;
  const std::string_view der(reinterpret_cast<const char*>(data), size);
  OcspRequest req;
  const auto error = detail::read_ocsp_request(der, kMaxCertificates, req);
  if (error) {
    require(!ocsp_request_error_name(*error).empty());
    return 0;
  }
  require(!req.certs.empty() && req.certs.size() <= kMaxCertificates);
  for (const auto& id : req.certs) {
    require(!id.der.empty() && der.find(id.der) != std::string_view::npos);
    if (id.hash == OcspHash::sha1) require(id.issuer_key_hash.size() == 20);
    if (id.hash == OcspHash::sha256) require(id.issuer_key_hash.size() == 32);
    require(id.serial_hex.size() % 2 == 0 && !id.serial_hex.starts_with("00"));
  }
  if (req.nonce) {
    // An OCTET STRING of 1 to 32 octets: two octets of header and the nonce itself.
    require(req.nonce->size() >= 3 && req.nonce->size() <= 2 + kOcspMaxNonceOctets);
  }
  return 0;
}
