// The delegated OCSP responder certificate (CPIPCS 7.1.4), the hashes a CertID names an issuing CA
// generation by, and the unsigned error responses.
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <mutex>
#include <stdexcept>

#include "pki/issuing_ca_impl.hpp"
#include "pki/key_store.hpp"
#include "pki/ocsp.hpp"
#include "pki/serial.hpp"
#include "pki/x509_build.hpp"

namespace onshi::pki {
namespace {

// A relying party whose clock is this much slow still sees a responder certificate that is valid.
constexpr std::chrono::hours kBackdate{1};

std::string digest(const EVP_MD* md, const unsigned char* data, std::size_t size) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  ossl::check(EVP_Digest(data, size, out, &len, md, nullptr), "EVP_Digest");
  return std::string(reinterpret_cast<const char*>(out), len);
}

ossl::Cert build_responder_certificate(const OcspResponderProfile& profile, EVP_PKEY* public_key,
                                       std::chrono::system_clock::time_point now,
                                       const X509* issuing_cert, EVP_PKEY* issuing_key) {
  using namespace std::chrono;
  const ossl::Name name = detail::parse_dn(profile.subject);
  const auto issued = floor<seconds>(now);
  const auto ca_not_after = ossl::to_time_point(X509_get0_notAfter(issuing_cert));
  const auto not_after =
      std::min<system_clock::time_point>(issued + profile.validity, ca_not_after);
  if (not_after <= issued) throw std::runtime_error("the issuing CA certificate has expired");
  ossl::Cert cert =
      detail::new_certificate(random_serial_hex(), issued - kBackdate, not_after, name.get(),
                              X509_get_subject_name(issuing_cert), public_key);
  X509* c = cert.get();
  detail::add_ext(c, issuing_cert, NID_key_usage, "critical,digitalSignature");
  detail::add_ext(c, issuing_cert, NID_ext_key_usage, "OCSPSigning");
  detail::add_ext(c, issuing_cert, NID_basic_constraints, "critical,CA:FALSE");
  detail::add_ext(c, issuing_cert, NID_subject_key_identifier, "hash");
  detail::add_ext(c, issuing_cert, NID_authority_key_identifier, "keyid:always");
  // id-pkix-ocsp-nocheck, whose value is NULL (RFC 6960 4.2.2.2.1).
  std::unique_ptr<ASN1_NULL, ossl::Deleter<ASN1_NULL_free>> null_value(
      ossl::check(ASN1_NULL_new(), "ASN1_NULL_new"));
  ossl::check(
      X509_add1_ext_i2d(c, NID_id_pkix_OCSP_noCheck, null_value.get(), 0, X509V3_ADD_DEFAULT),
      "ocsp nocheck");
  detail::sign(c, issuing_key);
  return cert;
}

}  // namespace

std::expected<OcspRequest, OcspRequestError> parse_ocsp_request(std::string_view der,
                                                                std::size_t max_certificates) {
  OcspRequest out;
  if (auto error = detail::read_ocsp_request(der, max_certificates, out))
    return std::unexpected(*error);
  return out;
}

std::vector<OcspIssuer> ocsp_issuers(const IssuingCa& ca) {
  const auto& impl = detail::impl_of(ca);
  std::vector<OcspIssuer> out;
  const auto add = [&](const CaGeneration& g) {
    OcspIssuer issuer;
    issuer.key_id_hex = g.key_id_hex;
    const X509_NAME* subject = X509_get_subject_name(g.cert.get());
    const int name_len = i2d_X509_NAME(subject, nullptr);
    if (name_len <= 0) ossl::fail("i2d_X509_NAME");
    std::string name(static_cast<std::size_t>(name_len), '\0');
    auto* out_ptr = reinterpret_cast<unsigned char*>(name.data());
    i2d_X509_NAME(subject, &out_ptr);
    const auto* name_bytes = reinterpret_cast<const unsigned char*>(name.data());
    const ASN1_BIT_STRING* key = X509_get0_pubkey_bitstr(g.cert.get());
    const auto key_size = static_cast<std::size_t>(key->length);
    issuer.sha1_name = digest(EVP_sha1(), name_bytes, name.size());
    issuer.sha256_name = digest(EVP_sha256(), name_bytes, name.size());
    issuer.sha1_key = digest(EVP_sha1(), key->data, key_size);
    issuer.sha256_key = digest(EVP_sha256(), key->data, key_size);
    out.push_back(std::move(issuer));
  };
  add(impl.current);
  for (const auto& g : impl.earlier) add(g);
  return out;
}

const OcspIssuer* find_ocsp_issuer(const std::vector<OcspIssuer>& issuers, const OcspCertId& id) {
  for (const auto& issuer : issuers) {
    if (id.hash == OcspHash::sha1 && id.issuer_key_hash == issuer.sha1_key &&
        id.issuer_name_hash == issuer.sha1_name) {
      return &issuer;
    }
    if (id.hash == OcspHash::sha256 && id.issuer_key_hash == issuer.sha256_key &&
        id.issuer_name_hash == issuer.sha256_name) {
      return &issuer;
    }
  }
  return nullptr;
}

OcspResponderCertificate issue_ocsp_responder(const IssuingCa& ca,
                                              std::string_view issuer_key_id_hex,
                                              const OcspResponderProfile& profile,
                                              std::chrono::system_clock::time_point now) {
  const auto& impl = detail::impl_of(ca);
  const CaGeneration* g = impl.find(issuer_key_id_hex);
  if (g == nullptr) throw std::invalid_argument("no issuing CA generation has this key id");
  ossl::Pkey key = detail::generate_key(KeyAlgorithm::ec_p256);
  ossl::Cert cert;
  {
    std::lock_guard lock(detail::signing_mutex());
    cert = build_responder_certificate(profile, key.get(), now, g->cert.get(), g->key.get());
  }
  OcspResponderCertificate out;
  out.der = ossl::cert_der(cert.get());
  // Sealed under the secret of terminal keys: 256 random bits, so no slow derivation.
  out.sealed_private_key = detail::encrypt_private_key(key.get(), impl.terminal_secret_hex, false);
  out.issuer_key_id_hex = g->key_id_hex;
  out.serial_hex = ossl::serial_hex(cert.get());
  out.not_before = ossl::to_time_point(X509_get0_notBefore(cert.get()));
  out.not_after = ossl::to_time_point(X509_get0_notAfter(cert.get()));
  return out;
}

std::string ocsp_error_response(OcspResponseStatus status) {
  // OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED }: five octets, nothing to sign.
  const char bytes[] = {0x30, 0x03, 0x0a, 0x01, static_cast<char>(status)};
  return std::string(bytes, sizeof bytes);
}

}  // namespace onshi::pki
