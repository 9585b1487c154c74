#pragma once
// The certificate authority as the use cases see it: the issuing CA from pki/, the terminal
// profile and CA settings built from configuration, and the key that seals pickup codes until
// their letter is printed. Loaded once at startup by whoever issues (serve, admin commands).
#include <memory>
#include <optional>
#include <string>

#include "app/core/config.hpp"

namespace onshi::pki {
class IssuingCa;
struct KeyStoreConfig;
struct CaSettings;
struct TerminalProfile;
}  // namespace onshi::pki

namespace onshi::app {

class OcspKeys;

class CertificateAuthority {
 public:
  // Nothing when no CA was initialised in config.ca_dir (the portal still serves; issuing says
  // so). Throws std::runtime_error when a CA exists but its key cannot be loaded.
  static std::unique_ptr<CertificateAuthority> open(const Config& config);
  CertificateAuthority();
  ~CertificateAuthority();

  pki::IssuingCa& issuing() const { return *issuing_; }
  const pki::TerminalProfile& profile() const { return *profile_; }
  // The OCSP responders this node has loaded (app/ca/ocsp_keys.hpp).
  const OcspKeys& ocsp_keys() const { return *ocsp_keys_; }

  std::string seal(std::string_view secret) const;
  std::optional<std::string> unseal(std::string_view sealed) const;

 private:
  std::unique_ptr<pki::IssuingCa> issuing_;
  std::unique_ptr<pki::TerminalProfile> profile_;
  std::unique_ptr<OcspKeys> ocsp_keys_;
  std::string seal_key_;
};

// The CA certificates a relying party fetches from a certificate's authorityInfoAccess
// (pki.ca_issuers_url, pki.root_ca_issuers_url), DER. Nothing without a CA.
enum class CaCertificate { issuing, root };
std::optional<std::string> ca_certificate_der(const CertificateAuthority* ca, CaCertificate which);

// From configuration; the passphrase and PIN are read from their files or ONSHI_CA_PASSPHRASE /
// ONSHI_PKCS11_PIN. Throws std::runtime_error naming the setting that is wrong.
pki::KeyStoreConfig key_store_config(const Config& config);
pki::CaSettings ca_settings(const Config& config);
pki::TerminalProfile terminal_profile(const Config& config);

}  // namespace onshi::app
