#pragma once
// Per node: the delegated OCSP responders in use, one per issuing CA generation, loaded from the
// database with their keys decrypted once (CPIPCS 7.1.4), and the CertID hashes that name each
// generation. Held by CertificateAuthority; app/ca/ocsp_responder.cpp fills and reads it.
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "app/ca/ocsp_cache.hpp"
#include "pki/ocsp.hpp"
#include "store/records.hpp"

namespace onshi::app {

struct LoadedResponder {
  store::Id id = 0;  // ocsp_responders.id, which stored responses name
  std::shared_ptr<const pki::OcspSigner> signer;
};

class OcspKeys {
 public:
  explicit OcspKeys(const pki::IssuingCa& ca) : issuers_(pki::ocsp_issuers(ca)) {}

  // Fixed for the life of the process: generations change only with `onshi ca reissue`, which
  // the server reads at start.
  const std::vector<pki::OcspIssuer>& issuers() const { return issuers_; }

  // The generation's responder, or nothing before renew_ocsp_responders loaded one.
  std::optional<LoadedResponder> responder(const std::string& key_id) const {
    std::lock_guard lock(mutex_);
    const auto it = loaded_.find(key_id);
    if (it == loaded_.end()) return std::nullopt;
    return it->second;
  }
  // The responses this node served (ocsp_cache.hpp).
  OcspCache& cache() const { return cache_; }

  // Requests in flight keep the signer they took (shared_ptr) while the next one is installed.
  void install(const std::string& key_id, LoadedResponder r) const {
    std::lock_guard lock(mutex_);
    loaded_[key_id] = std::move(r);
  }

 private:
  std::vector<pki::OcspIssuer> issuers_;
  mutable std::mutex mutex_;
  mutable std::map<std::string, LoadedResponder> loaded_;
  mutable OcspCache cache_;
};

}  // namespace onshi::app
