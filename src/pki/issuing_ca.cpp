#include "pki/issuing_ca.hpp"

#include "pki/ca_folder.hpp"
#include "pki/issuing_ca_impl.hpp"
#include "pki/key_store.hpp"
#include "pki/profiles.hpp"
#include "pki/serial.hpp"
#include "pki/terminal_signer.hpp"
#include "pki/x509_build.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <stdexcept>

namespace onshi::pki {
namespace {

CaGeneration generation_of(ossl::Cert cert, ossl::Pkey key) {
  CaGeneration g;
  g.der = ossl::cert_der(cert.get());
  g.serial_hex = ossl::serial_hex(cert.get());
  const std::string kid = detail::key_identifier(X509_get0_pubkey(cert.get()));
  g.key_id_hex = ossl::lower_hex(reinterpret_cast<const unsigned char*>(kid.data()), kid.size());
  g.subject = ossl::rfc2253(X509_get_subject_name(cert.get()));
  g.not_before = ossl::to_time_point(X509_get0_notBefore(cert.get()));
  g.not_after = ossl::to_time_point(X509_get0_notAfter(cert.get()));
  g.cert = std::move(cert);
  g.key = std::move(key);
  return g;
}

// issuing-<serial>.crt files left by `onshi ca reissue-issuing`, with their keys, newest first;
// an expired one has nothing left to sign a CRL for.
std::vector<CaGeneration> earlier_generations(const KeyStoreConfig& cfg, const X509* root) {
  std::vector<CaGeneration> out;
  const auto now = std::chrono::system_clock::now();
  for (const auto& entry : std::filesystem::directory_iterator(cfg.dir)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("issuing-") || !name.ends_with(".crt")) continue;
    ossl::Cert cert = detail::read_ca_certificate(cfg, name.c_str());
    if (ossl::to_time_point(X509_get0_notAfter(cert.get())) <= now) continue;
    if (X509_verify(cert.get(), X509_get0_pubkey(root)) != 1) {
      ERR_clear_error();
      throw std::runtime_error(name + " is not signed by root.crt in " + cfg.dir.string());
    }
    const std::string key_file = name.substr(0, name.size() - 4) + ".key";
    ossl::Pkey key;
    {
      std::lock_guard lock(detail::signing_mutex());
      key = detail::load_ca_key(cfg, key_file, cert.get());
    }
    out.push_back(generation_of(std::move(cert), std::move(key)));
  }
  std::ranges::sort(out, [](const CaGeneration& a, const CaGeneration& b) {
    return a.not_before > b.not_before;
  });
  return out;
}

IssuingCaInfo info_of(const CaGeneration& g, bool current) {
  return {g.serial_hex, g.key_id_hex, g.der, g.subject, g.not_before, g.not_after, current};
}

}  // namespace

std::mutex& detail::signing_mutex() {
  static std::mutex m;
  return m;
}

const CaGeneration* IssuingCa::Impl::find(std::string_view key_id_hex) const {
  if (current.key_id_hex == key_id_hex) return &current;
  for (const auto& g : earlier)
    if (g.key_id_hex == key_id_hex) return &g;
  return nullptr;
}

IssuingCa::Impl::Impl() = default;
IssuingCa::Impl::~Impl() = default;

IssuingCa::IssuingCa(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
IssuingCa::~IssuingCa() = default;

std::unique_ptr<IssuingCa> IssuingCa::open(const KeyStoreConfig& cfg) {
  detail::check_key_store(cfg);
  auto impl = std::make_unique<Impl>();
  ossl::Cert root = detail::read_ca_certificate(cfg, detail::kRootCert);
  ossl::Cert issuing = detail::read_ca_certificate(cfg, detail::kIssuingCert);
  if (X509_verify(issuing.get(), X509_get0_pubkey(root.get())) != 1) {
    ERR_clear_error();
    throw std::runtime_error("issuing.crt is not signed by root.crt in " + cfg.dir.string());
  }
  ossl::Pkey key;
  {
    std::lock_guard lock(detail::signing_mutex());
    key = detail::load_ca_key(cfg, detail::kIssuingKey, issuing.get());
  }
  impl->chain_pem = ossl::cert_pem(issuing.get()) + ossl::cert_pem(root.get());
  impl->current = generation_of(std::move(issuing), std::move(key));
  impl->earlier = earlier_generations(cfg, root.get());
  impl->root_der = ossl::cert_der(root.get());
  impl->terminal_secret_hex = detail::read_terminal_secret_hex(cfg);
  impl->terminal_signer = std::make_unique<detail::TerminalSigner>(
      impl->current.cert.get(), impl->current.key.get(), detail::signing_mutex());
  return std::unique_ptr<IssuingCa>(new IssuingCa(std::move(impl)));
}

IssuedCertificate IssuingCa::issue(const TerminalSubject& subject, std::string_view public_key_der,
                                   const TerminalProfile& profile, const std::string& serial_hex,
                                   std::chrono::system_clock::time_point now) {
  // The TBSCertificate is written by hand (terminal_signer.hpp); the same bytes as
  // detail::build_terminal_certificate, which the tests compare it with.
  IssuedCertificate out =
      impl_->terminal_signer->issue(subject, public_key_der, profile, serial_hex, now);
  out.issuer_key_id_hex = impl_->current.key_id_hex;
  return out;
}

std::expected<ServerCertificate, ServerNameError> IssuingCa::issue_server_certificate(
    const std::vector<std::string>& dns_names, const std::vector<std::string>& ip_addresses,
    std::chrono::system_clock::time_point now) {
  if (dns_names.empty() && ip_addresses.empty()) return std::unexpected(ServerNameError::no_names);
  if (!std::ranges::all_of(dns_names, [](const std::string& n) { return is_dns_host_name(n); }))
    return std::unexpected(ServerNameError::bad_dns_name);
  if (!std::ranges::all_of(ip_addresses,
                           [](const std::string& a) { return !ip_address_octets(a).empty(); }))
    return std::unexpected(ServerNameError::bad_ip_address);
  ossl::Pkey key = detail::generate_key(KeyAlgorithm::ec_p256);
  ossl::Cert cert;
  {
    std::lock_guard lock(detail::signing_mutex());
    cert =
        detail::build_server_certificate(dns_names, ip_addresses, key.get(), random_serial_hex(),
                                         now, impl_->current.cert.get(), impl_->current.key.get());
  }
  ossl::Bio bio(ossl::check(BIO_new(BIO_s_mem()), "BIO_new"));
  ossl::check(PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr),
              "PEM_write_bio_PrivateKey");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  ServerCertificate out;
  out.certificate_pem = ossl::cert_pem(cert.get());
  out.chain_pem = out.certificate_pem + ossl::cert_pem(impl_->current.cert.get());
  out.private_key_pem.assign(data, static_cast<std::size_t>(len));
  out.serial_hex = ossl::serial_hex(cert.get());
  return out;
}

std::string IssuingCa::chain_pem() const {
  return impl_->chain_pem;
}
std::vector<IssuingCaInfo> IssuingCa::generations() const {
  std::vector<IssuingCaInfo> out{info_of(impl_->current, true)};
  for (const auto& g : impl_->earlier) out.push_back(info_of(g, false));
  return out;
}

std::string authority_key_id_hex(std::string_view cert_der) {
  ossl::Cert cert = ossl::cert_from_der(cert_der);
  if (!cert) throw std::runtime_error("authority_key_id_hex: unreadable certificate");
  const ASN1_OCTET_STRING* kid = X509_get0_authority_key_id(cert.get());
  if (kid == nullptr) return "";
  return ossl::lower_hex(ASN1_STRING_get0_data(kid),
                         static_cast<std::size_t>(ASN1_STRING_length(kid)));
}

std::string IssuingCa::issuing_der() const {
  return impl_->current.der;
}
std::string IssuingCa::root_der() const {
  return impl_->root_der;
}

}  // namespace onshi::pki
