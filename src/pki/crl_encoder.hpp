#pragma once
// Internal to pki/: the TBSCertList written entry by entry into one buffer and signed once, for
// whichever CA signs it (an issuing CA generation's CRLs, the root's ARL).
#include "pki/crl.hpp"
#include "pki/ossl.hpp"

#include <mutex>
#include <string>

namespace onshi::pki::detail {

class CrlEncoder {
 public:
  // What issuingDistributionPoint says the CRL covers: terminal certificates at
  // CrlFields::distribution_point, or CA certificates (the ARL, which names no point).
  enum class Scope { user_certificates, ca_certificates };

  // `issuer` names the CRL's issuer and its key identifier; `key` decides the signature
  // algorithm, written into the TBS now, and signs in sign(). Neither is owned.
  CrlEncoder(const X509* issuer, EVP_PKEY* key, const CrlFields& fields, Scope scope);

  void reserve(std::size_t entries);
  void add(const CrlEntry& entry);
  std::size_t entries() const { return entries_; }
  // Once. `key_lock` is held around the signature only (detail::signing_mutex() for CA keys: the
  // PKCS#11 engine is not reentrant), not while the list is framed.
  std::string sign(std::mutex& key_lock);

 private:
  std::string extensions() const;

  EVP_PKEY* key_;
  const EVP_MD* md_;
  CrlFields fields_;
  Scope scope_;
  std::string key_id_;     // the issuer's subjectKeyIdentifier, raw octets
  std::string prefix_;     // version, signature, issuer, thisUpdate, nextUpdate
  std::string algorithm_;  // AlgorithmIdentifier, also after the TBS
  std::size_t gap_ = 0;    // octets kept free in front of the entries for the headers
  std::string buffer_;     // gap_ octets, then the entries as they are added
  std::size_t entries_ = 0;
  bool signed_ = false;
};

}  // namespace onshi::pki::detail
