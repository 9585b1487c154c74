#include "pki/issuing_ca.hpp"

#include "pki/ca_folder.hpp"
#include "pki/issuing_ca_impl.hpp"
#include "pki/key_store.hpp"
#include "pki/profiles.hpp"
#include "pki/serial.hpp"
#include "pki/x509_build.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <algorithm>
#include <mutex>
#include <stdexcept>

namespace onshi::pki {
namespace {

// Process-wide rather than per object: two IssuingCa objects on one token share the engine.
std::mutex signing_mutex;

}  // namespace

IssuingCa::IssuingCa(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
IssuingCa::~IssuingCa() = default;

std::unique_ptr<IssuingCa> IssuingCa::open(const KeyStoreConfig& cfg) {
  detail::check_key_store(cfg);
  auto impl = std::make_unique<Impl>();
  ossl::Cert root = detail::read_ca_certificate(cfg, detail::kRootCert);
  impl->issuing_cert = detail::read_ca_certificate(cfg, detail::kIssuingCert);
  if (X509_verify(impl->issuing_cert.get(), X509_get0_pubkey(root.get())) != 1) {
    ERR_clear_error();
    throw std::runtime_error("issuing.crt is not signed by root.crt in " + cfg.dir.string());
  }
  {
    std::lock_guard lock(signing_mutex);
    impl->issuing_key = detail::load_ca_key(cfg, detail::kIssuingKey, impl->issuing_cert.get());
  }
  impl->issuing_der = ossl::cert_der(impl->issuing_cert.get());
  impl->root_der = ossl::cert_der(root.get());
  impl->chain_pem = ossl::cert_pem(impl->issuing_cert.get()) + ossl::cert_pem(root.get());
  impl->terminal_secret_hex = detail::read_terminal_secret_hex(cfg);
  return std::unique_ptr<IssuingCa>(new IssuingCa(std::move(impl)));
}

IssuedCertificate IssuingCa::issue(const TerminalSubject& subject, std::string_view public_key_der,
                                   const TerminalProfile& profile, const std::string& serial_hex,
                                   std::chrono::system_clock::time_point now) {
  ossl::Pkey key = ossl::public_key_from_der(public_key_der);
  if (!key) throw std::invalid_argument("unreadable public key");
  ossl::Cert cert;
  {
    std::lock_guard lock(signing_mutex);
    cert = detail::build_terminal_certificate(subject, key.get(), profile, serial_hex, now,
                                              impl_->issuing_cert.get(), impl_->issuing_key.get());
  }
  IssuedCertificate out;
  out.der = ossl::cert_der(cert.get());
  out.pem = ossl::cert_pem(cert.get());
  // Read back from the certificate, so that what is stored and looked up by OCSP and the CRL is
  // the serial as it is encoded, whatever leading zeros the caller wrote.
  out.serial_hex = ossl::serial_hex(cert.get());
  out.subject = ossl::rfc2253(X509_get_subject_name(cert.get()));
  out.not_before = ossl::to_time_point(X509_get0_notBefore(cert.get()));
  out.not_after = ossl::to_time_point(X509_get0_notAfter(cert.get()));
  out.sha256_fingerprint = ossl::sha256_colon_fingerprint(out.der);
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
    std::lock_guard lock(signing_mutex);
    cert =
        detail::build_server_certificate(dns_names, ip_addresses, key.get(), random_serial_hex(),
                                         now, impl_->issuing_cert.get(), impl_->issuing_key.get());
  }
  ossl::Bio bio(ossl::check(BIO_new(BIO_s_mem()), "BIO_new"));
  ossl::check(PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr),
              "PEM_write_bio_PrivateKey");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  ServerCertificate out;
  out.certificate_pem = ossl::cert_pem(cert.get());
  out.chain_pem = out.certificate_pem + ossl::cert_pem(impl_->issuing_cert.get());
  out.private_key_pem.assign(data, static_cast<std::size_t>(len));
  out.serial_hex = ossl::serial_hex(cert.get());
  return out;
}

std::string IssuingCa::chain_pem() const {
  return impl_->chain_pem;
}
std::string IssuingCa::issuing_der() const {
  return impl_->issuing_der;
}
std::string IssuingCa::root_der() const {
  return impl_->root_der;
}

}  // namespace onshi::pki
