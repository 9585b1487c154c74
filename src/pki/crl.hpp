#pragma once
// Certificate revocation lists (RFC 5280 §5, CPIPCS 7.2): the full and delta CRLs of an issuing
// CA generation, and the root's ARL. Entries are DER-encoded as they are added and the list is
// signed once, so that a CRL of a million entries is one buffer, never a million OpenSSL objects.
#include <chrono>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onshi::pki {

class IssuingCa;
struct KeyStoreConfig;

struct CrlEntry {
  std::string_view serial_hex;  // as stored: hex, any case
  std::chrono::system_clock::time_point revoked_at;
  int reason = 0;  // RFC 5280 CRLReason; unspecified (0) is written as no reasonCode at all
  std::optional<std::chrono::system_clock::time_point> invalidity_date;
};

struct CrlFields {
  std::int64_t number = 0;                 // cRLNumber, shared by the full and delta CRLs
  std::optional<std::int64_t> delta_base;  // a delta CRL (deltaCRLIndicator) against this number
  std::chrono::system_clock::time_point this_update, next_update;
  // issuingDistributionPoint's fullName: the URL the certificates' cRLDistributionPoints name, the
  // same on the full and the delta CRL (RFC 5280 5.2.4: one scope).
  std::string distribution_point;
  // freshestCRL of a full CRL: where its delta CRLs are. Empty: none. Ignored on a delta.
  std::string freshest_crl;
};

class CrlBuilder {
 public:
  // For the issuing CA generation whose certificate's subjectKeyIdentifier is
  // `issuer_key_id_hex` (IssuingCaInfo::key_id_hex). Throws std::invalid_argument when `ca`
  // holds no such generation or the fields are unusable (nextUpdate before thisUpdate, a number
  // below zero, an empty distribution point). `ca` must outlive the builder.
  CrlBuilder(const IssuingCa& ca, std::string_view issuer_key_id_hex, const CrlFields& fields);
  ~CrlBuilder();
  CrlBuilder(CrlBuilder&&) noexcept;
  CrlBuilder& operator=(CrlBuilder&&) noexcept;

  // Room for `entries` entries, so that the buffer does not grow (and briefly double) while a
  // long list is added.
  void reserve(std::size_t entries);
  // Throws std::invalid_argument for a serial that is not 1 to 20 octets of positive hex.
  void add(const CrlEntry& entry);
  std::size_t entries() const;
  // The CertificateList, DER, signed with the generation's key under the CA's signing mutex (held
  // for this one signature only). The builder is empty afterwards.
  std::string sign();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// What a CRL says about itself, read back from its DER (the web layer's caching headers, the
// ceremony's output, tests). Throws std::runtime_error when `der` is no CRL.
struct CrlSummary {
  std::int64_t number = 0;
  std::optional<std::int64_t> delta_base;
  std::chrono::system_clock::time_point this_update, next_update;
  std::size_t entries = 0;
  std::string issuer;  // RFC 2253
};
CrlSummary summarize_crl(std::string_view der);

// The root's ARL (CPIPCS 7.2.2), signed by `onshi ca sign-root-crl` with the offline root key.
struct RootCrlRevocation {
  std::string serial_hex;  // an issuing CA certificate of the CA folder (issuing.crt or older)
  int reason = 0;          // cACompromise (2), superseded (4) or cessationOfOperation (5)
};
enum class RootCrlError { unknown_certificate, already_revoked, reason_not_allowed };
std::string_view root_crl_error_text(RootCrlError e);

struct RootCrl {
  std::string der;
  CrlSummary summary;
  std::vector<RootCrlRevocation> revoked;  // every issuing CA certificate it lists
};

// Signs the next ARL with the root key (cfg.dir/root.key and cfg.passphrase, or the token),
// listing every issuing CA certificate revoked so far (root-crl-revoked in the CA folder) and
// `revoke` when given, which is remembered there first. cRLNumber comes from root-crl-number,
// advanced before the signature so that a number is never used twice; nextUpdate is 12 months
// after `now`; issuingDistributionPoint says onlyContainsCACerts (and names no point, so that
// the root itself is checked against it too). Writes root.crl (DER) atomically. Throws
// std::runtime_error for a missing CA or a wrong passphrase.
std::expected<RootCrl, RootCrlError> sign_root_crl(const KeyStoreConfig& cfg,
                                                   const std::optional<RootCrlRevocation>& revoke,
                                                   std::chrono::system_clock::time_point now);

}  // namespace onshi::pki
