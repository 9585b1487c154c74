#pragma once
// Internal to pki/: the state behind IssuingCa, shared by the pki files that sign with it
// (certificates, terminal keys, CRLs, OCSP responder certificates).
#include "pki/issuing_ca.hpp"
#include "pki/ossl.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace onshi::pki {
namespace detail {
class TerminalSigner;
}

// One issuing CA key with its certificate: the current one, or one replaced by
// `onshi ca reissue-issuing` that still signs CRLs (and OCSP responder certificates) for what it
// issued until its certificate expires.
struct CaGeneration {
  ossl::Cert cert;
  ossl::Pkey key;
  std::string der, serial_hex;
  std::string key_id_hex;  // subjectKeyIdentifier: the AKI of what it issued
  std::string subject;     // RFC 2253
  std::chrono::system_clock::time_point not_before, not_after;
};

struct IssuingCa::Impl {
  CaGeneration current;
  std::vector<CaGeneration> earlier;  // newest first, expired ones left out
  std::string root_der;
  std::string chain_pem;  // current, then root
  std::string terminal_secret_hex;
  // Signs terminal certificates with `current` (terminal_signer.hpp).
  std::unique_ptr<detail::TerminalSigner> terminal_signer;

  Impl();
  ~Impl();

  // The generation whose key id is `key_id_hex`; nullptr when none is held.
  const CaGeneration* find(std::string_view key_id_hex) const;
};

namespace detail {

// Process-wide rather than per object: two IssuingCa objects on one token share the engine,
// which is not reentrant. Hold it for one signature, never longer.
std::mutex& signing_mutex();

// For pki/ files that sign with the CA without being members of IssuingCa.
struct ImplAccess {
  static const IssuingCa::Impl& of(const IssuingCa& ca) { return *ca.impl_; }
};
inline const IssuingCa::Impl& impl_of(const IssuingCa& ca) {
  return ImplAccess::of(ca);
}

}  // namespace detail
}  // namespace onshi::pki
