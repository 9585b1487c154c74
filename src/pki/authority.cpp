// Creating, replacing and describing the root and issuing CA in the CA folder.
#include "pki/authority.hpp"

#include "pki/ca_folder.hpp"
#include "pki/key_store.hpp"
#include "pki/profiles.hpp"
#include "pki/serial.hpp"
#include "pki/x509_build.hpp"

#include <openssl/err.h>
#include <openssl/rand.h>

#include <array>
#include <filesystem>
#include <stdexcept>

namespace onshi::pki {
namespace fs = std::filesystem;
using namespace detail;

namespace detail {

ossl::Cert read_ca_certificate(const KeyStoreConfig& cfg, const char* name) {
  const std::string path = (cfg.dir / name).string();
  if (!fs::exists(path)) throw std::runtime_error("CA certificate missing: " + path);
  ossl::Cert cert = ossl::cert_from_pem(ossl::read_file(path));
  if (!cert) throw std::runtime_error("not a PEM certificate: " + path);
  return cert;
}

std::string read_terminal_secret_hex(const KeyStoreConfig& cfg) {
  const std::string path = (cfg.dir / kTerminalSecret).string();
  const std::string secret = ossl::read_file(path);
  if (secret.size() != kTerminalSecretSize) throw std::runtime_error("damaged secret: " + path);
  return ossl::lower_hex(reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
}

}  // namespace detail

namespace {

constexpr unsigned kSecretMode = 0600;
constexpr unsigned kPublicMode = 0644;

std::string path_in(const KeyStoreConfig& cfg, const std::string& name) {
  return (cfg.dir / name).string();
}

// A sanity check that matters for tokens: a wrong object behind the engine would otherwise only
// show when relying parties reject the certificates.
void check_signed_by(const X509* cert, EVP_PKEY* public_key) {
  if (X509_verify(const_cast<X509*>(cert), public_key) != 1) {
    ossl::fail("a new CA certificate does not verify with the key that should have signed it");
  }
}

}  // namespace

CertificateSummary summarize_certificate(std::string_view der) {
  ossl::Cert cert = ossl::cert_from_der(der);
  if (!cert) throw std::runtime_error("unreadable certificate");
  CertificateSummary out;
  out.subject = ossl::rfc2253(X509_get_subject_name(cert.get()));
  out.issuer = ossl::rfc2253(X509_get_issuer_name(cert.get()));
  out.serial_hex = ossl::serial_hex(cert.get());
  out.not_before_utc = ossl::iso_utc(ossl::to_time_point(X509_get0_notBefore(cert.get())));
  out.not_after_utc = ossl::iso_utc(ossl::to_time_point(X509_get0_notAfter(cert.get())));
  out.sha256_fingerprint = ossl::sha256_colon_fingerprint(der);
  out.key_algorithm = ossl::describe_key(X509_get0_pubkey(cert.get()));
  out.pem = ossl::cert_pem(cert.get());
  return out;
}

std::string describe_certificate_text(std::string_view der) {
  ossl::Cert cert = ossl::cert_from_der(der);
  if (!cert) throw std::runtime_error("unreadable certificate");
  ossl::Bio bio = ossl::mem_bio();
  ossl::check(X509_print_ex(bio.get(), cert.get(), XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB, 0),
              "X509_print_ex");
  return ossl::bio_string(bio.get());
}

std::string sha256_fingerprint(std::string_view der) {
  return ossl::sha256_colon_fingerprint(der);
}

bool ca_exists(const KeyStoreConfig& cfg) {
  return fs::exists(cfg.dir / kRootCert) || fs::exists(cfg.dir / kIssuingCert);
}

CaDescription describe_ca(const KeyStoreConfig& cfg) {
  CaDescription out;
  out.key_store = cfg.kind;
  out.root = summarize_certificate(ossl::cert_der(read_ca_certificate(cfg, kRootCert).get()));
  out.issuing = summarize_certificate(ossl::cert_der(read_ca_certificate(cfg, kIssuingCert).get()));
  return out;
}

CaDescription init_ca(const KeyStoreConfig& cfg, const CaSettings& s,
                      std::chrono::system_clock::time_point now) {
  check_key_store(cfg);
  for (const char* name : {kRootCert, kIssuingCert, kRootKey, kIssuingKey}) {
    if (fs::exists(cfg.dir / name)) {
      throw std::runtime_error("a CA already exists: " + path_in(cfg, name));
    }
  }
  // Settings errors surface before any key is made (a token keeps keys even if we stop later).
  parse_dn(s.root_subject);
  parse_dn(s.issuing_subject);
  if (!fs::exists(cfg.dir)) {
    fs::create_directories(cfg.dir);
    fs::permissions(cfg.dir, fs::perms::owner_all, fs::perm_options::replace);
  }

  NewCaKey root = create_ca_key(cfg, "onshi-root", s.root_algorithm);
  ossl::Cert root_cert = build_root_certificate(s, random_serial_hex(), now, root.public_key.get(),
                                                root.signing.get());
  check_signed_by(root_cert.get(), root.public_key.get());

  NewCaKey issuing = create_ca_key(cfg, "onshi-issuing", s.issuing_algorithm);
  ossl::Cert issuing_cert = build_issuing_certificate(
      s, random_serial_hex(), now, issuing.public_key.get(), root_cert.get(), root.signing.get());
  check_signed_by(issuing_cert.get(), root.public_key.get());

  std::array<unsigned char, kTerminalSecretSize> secret{};
  ossl::check(RAND_bytes(secret.data(), static_cast<int>(secret.size())), "RAND_bytes");
  ossl::write_file_atomic(
      path_in(cfg, kTerminalSecret),
      std::string_view(reinterpret_cast<const char*>(secret.data()), secret.size()), kSecretMode);
  if (cfg.kind == "file") {
    ossl::write_file_atomic(path_in(cfg, kRootKey), root.encrypted_pem, kSecretMode);
    ossl::write_file_atomic(path_in(cfg, kIssuingKey), issuing.encrypted_pem, kSecretMode);
  }
  // Certificates last: their presence is what ca_exists() reports.
  ossl::write_file_atomic(path_in(cfg, kRootCert), ossl::cert_pem(root_cert.get()), kPublicMode);
  ossl::write_file_atomic(path_in(cfg, kIssuingCert), ossl::cert_pem(issuing_cert.get()),
                          kPublicMode);
  return describe_ca(cfg);
}

CaDescription reissue_issuing_ca(const KeyStoreConfig& cfg, const CaSettings& s,
                                 std::chrono::system_clock::time_point now) {
  check_key_store(cfg);
  ossl::Cert root_cert = read_ca_certificate(cfg, kRootCert);
  ossl::Cert old_cert = read_ca_certificate(cfg, kIssuingCert);
  parse_dn(s.issuing_subject);
  ossl::Pkey root_key = load_ca_key(cfg, kRootKey, root_cert.get());

  // Token labels are for people; the key is found by CKA_ID. Generation n of the issuing CA is
  // "onshi-issuing-g<n>" (the first one is plain "onshi-issuing").
  int generation = 2;
  for (const auto& entry : fs::directory_iterator(cfg.dir)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("issuing-") && name.ends_with(".crt")) ++generation;
  }
  NewCaKey issuing =
      create_ca_key(cfg, "onshi-issuing-g" + std::to_string(generation), s.issuing_algorithm);
  ossl::Cert cert = build_issuing_certificate(s, random_serial_hex(), now, issuing.public_key.get(),
                                              root_cert.get(), root_key.get());
  check_signed_by(cert.get(), X509_get0_pubkey(root_cert.get()));

  // Keep the old certificate (and key) for the CRLs of what it issued, before replacing them.
  const std::string old_name = "issuing-" + ossl::serial_hex(old_cert.get());
  ossl::write_file_atomic(path_in(cfg, old_name + ".crt"), ossl::cert_pem(old_cert.get()),
                          kPublicMode);
  if (cfg.kind == "file") {
    ossl::write_file_atomic(path_in(cfg, old_name + ".key"),
                            ossl::read_file(path_in(cfg, kIssuingKey)), kSecretMode);
    ossl::write_file_atomic(path_in(cfg, kIssuingKey), issuing.encrypted_pem, kSecretMode);
  }
  ossl::write_file_atomic(path_in(cfg, kIssuingCert), ossl::cert_pem(cert.get()), kPublicMode);
  return describe_ca(cfg);
}

}  // namespace onshi::pki
