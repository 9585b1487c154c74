// libFuzzer target: a terminal's certificate signing request, PEM or DER (pki/csr.cpp and its
// fast path for P-256, csr_fast.cpp), as pasted on the issue form, uploaded by a vendor's tool or
// sent to EST. What it accepts must be a key the CA will sign.
#include <string>

#include "fuzz_check.hpp"
#include "pki/csr.hpp"

using onshi::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace onshi::pki;
  const auto in = onshi::fuzz::bytes(data, size);
  const auto checked = check_csr(in);
  if (!checked) {
    require(!csr_error_name(checked.error()).empty());
    return 0;
  }
  require(!checked->public_key_der.empty() && !checked->subject_der.empty());
  const auto& kind = checked->key_description;
  require(kind == "ECDSA P-256" || kind == "ECDSA P-384" || kind == "RSA 2048" ||
          kind == "RSA 3072");
  // The same request read again gives the same key (nothing depends on state left behind).
  const auto again = check_csr(in);
  require(again && again->public_key_der == checked->public_key_der);
  return 0;
}
