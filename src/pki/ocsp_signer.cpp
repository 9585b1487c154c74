// Signing OCSP responses with a delegated responder's key (CPIPCS 7.3): one BasicOCSPResponse
// per call, whatever mix of good, revoked and unknown it answers.
#include <openssl/err.h>
#include <openssl/ocsp.h>

#include <stdexcept>

#include "pki/issuing_ca_impl.hpp"
#include "pki/key_store.hpp"
#include "pki/ocsp.hpp"

namespace onshi::pki {
namespace {

using BasicResp = std::unique_ptr<OCSP_BASICRESP, ossl::Deleter<OCSP_BASICRESP_free>>;
using CertIdPtr = std::unique_ptr<OCSP_CERTID, ossl::Deleter<OCSP_CERTID_free>>;
using Response = std::unique_ptr<OCSP_RESPONSE, ossl::Deleter<OCSP_RESPONSE_free>>;

CertIdPtr parse_cert_id(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  CertIdPtr id(d2i_OCSP_CERTID(nullptr, &p, static_cast<long>(der.size())));
  if (!id || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    ERR_clear_error();
    throw std::invalid_argument("an answer's CertID does not parse");
  }
  return id;
}

int status_code(OcspCertStatus s) {
  switch (s) {
    case OcspCertStatus::good:
      return V_OCSP_CERTSTATUS_GOOD;
    case OcspCertStatus::revoked:
      return V_OCSP_CERTSTATUS_REVOKED;
    case OcspCertStatus::unknown:
      return V_OCSP_CERTSTATUS_UNKNOWN;
  }
  return V_OCSP_CERTSTATUS_UNKNOWN;
}

}  // namespace

struct OcspSigner::Impl {
  ossl::Cert cert;
  ossl::Pkey key;
  ossl::Cert issuer;
  std::string issuer_key_id_hex;
  std::string serial_hex;
  std::chrono::system_clock::time_point not_before, not_after;
};

OcspSigner::OcspSigner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OcspSigner::~OcspSigner() = default;

std::unique_ptr<OcspSigner> OcspSigner::open(const IssuingCa& ca, std::string_view cert_der,
                                             std::string_view sealed_private_key) {
  const auto& ca_impl = detail::impl_of(ca);
  auto impl = std::make_unique<Impl>();
  impl->cert = ossl::cert_from_der(cert_der);
  if (!impl->cert) throw std::runtime_error("the OCSP responder certificate does not parse");
  const CaGeneration* g = ca_impl.find(authority_key_id_hex(cert_der));
  if (g == nullptr || X509_verify(impl->cert.get(), X509_get0_pubkey(g->cert.get())) != 1) {
    ERR_clear_error();
    throw std::runtime_error("the OCSP responder certificate is not of this CA");
  }
  impl->key = detail::decrypt_private_key(sealed_private_key, ca_impl.terminal_secret_hex);
  if (!impl->key) throw std::runtime_error("the OCSP responder key does not open with this CA");
  if (X509_check_private_key(impl->cert.get(), impl->key.get()) != 1) {
    ERR_clear_error();
    throw std::runtime_error("the OCSP responder key does not belong to its certificate");
  }
  impl->issuer = ossl::cert_from_der(g->der);
  impl->issuer_key_id_hex = g->key_id_hex;
  impl->serial_hex = ossl::serial_hex(impl->cert.get());
  impl->not_before = ossl::to_time_point(X509_get0_notBefore(impl->cert.get()));
  impl->not_after = ossl::to_time_point(X509_get0_notAfter(impl->cert.get()));
  return std::unique_ptr<OcspSigner>(new OcspSigner(std::move(impl)));
}

const std::string& OcspSigner::issuer_key_id_hex() const {
  return impl_->issuer_key_id_hex;
}
const std::string& OcspSigner::serial_hex() const {
  return impl_->serial_hex;
}
std::chrono::system_clock::time_point OcspSigner::not_before() const {
  return impl_->not_before;
}
std::chrono::system_clock::time_point OcspSigner::not_after() const {
  return impl_->not_after;
}

std::string OcspSigner::cert_id(OcspHash hash, std::string_view serial_hex) const {
  if (hash == OcspHash::other) throw std::invalid_argument("cert_id: SHA-1 or SHA-256 only");
  const std::string hex(serial_hex);
  BIGNUM* raw = nullptr;
  if (hex.empty() || BN_hex2bn(&raw, hex.c_str()) != static_cast<int>(hex.size()))
    throw std::invalid_argument("cert_id: the serial is not hex");
  ossl::BigNum bn(raw);
  ossl::Integer serial(ossl::check(BN_to_ASN1_INTEGER(bn.get(), nullptr), "BN_to_ASN1_INTEGER"));
  CertIdPtr id(
      ossl::check(OCSP_cert_id_new(hash == OcspHash::sha1 ? EVP_sha1() : EVP_sha256(),
                                   X509_get_subject_name(impl_->issuer.get()),
                                   X509_get0_pubkey_bitstr(impl_->issuer.get()), serial.get()),
                  "OCSP_cert_id_new"));
  unsigned char* buf = nullptr;
  const int len = i2d_OCSP_CERTID(id.get(), &buf);
  if (len <= 0) ossl::fail("i2d_OCSP_CERTID");
  std::string out(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(len));
  OPENSSL_free(buf);
  return out;
}

std::string OcspSigner::sign(const std::vector<OcspAnswer>& answers,
                             const std::optional<std::string>& nonce,
                             std::chrono::system_clock::time_point produced_at) const {
  BasicResp basic(ossl::check(OCSP_BASICRESP_new(), "OCSP_BASICRESP_new"));
  for (const auto& a : answers) {
    if (a.next_update > impl_->not_after)
      throw std::invalid_argument("a response may not outlive its responder certificate");
    const CertIdPtr id = parse_cert_id(a.cert_id_der);
    const ossl::Time this_update = ossl::asn1_time(a.this_update);
    const ossl::Time next_update = ossl::asn1_time(a.next_update);
    const bool revoked = a.status == OcspCertStatus::revoked;
    const ossl::Time revoked_at = ossl::asn1_time(a.revoked_at);
    // OCSP_REVOKED_STATUS_NOSTATUS leaves revocationReason out, as the CPS does for unspecified.
    const int reason = revoked && a.reason != 0 ? a.reason : OCSP_REVOKED_STATUS_NOSTATUS;
    ossl::check(OCSP_basic_add1_status(basic.get(), id.get(), status_code(a.status), reason,
                                       revoked ? revoked_at.get() : nullptr, this_update.get(),
                                       next_update.get()),
                "OCSP_basic_add1_status");
  }
  if (nonce) {
    // The extnValue as the client sent it, so that a byte-wise comparison (OpenSSL's
    // OCSP_check_nonce) finds it equal.
    ossl::OctetString value(ossl::check(ASN1_OCTET_STRING_new(), "ASN1_OCTET_STRING_new"));
    ossl::check(
        ASN1_OCTET_STRING_set(value.get(), reinterpret_cast<const unsigned char*>(nonce->data()),
                              static_cast<int>(nonce->size())),
        "ASN1_OCTET_STRING_set");
    ossl::Extension ext(
        ossl::check(X509_EXTENSION_create_by_NID(nullptr, NID_id_pkix_OCSP_Nonce, 0, value.get()),
                    "X509_EXTENSION_create_by_NID"));
    ossl::check(OCSP_BASICRESP_add_ext(basic.get(), ext.get(), -1), "OCSP_BASICRESP_add_ext");
  }
  // OCSP_basic_sign would stamp the system clock; producedAt is the caller's `now` instead
  // (OCSP_NOTIME), so that it agrees with thisUpdate under any clock.
  auto* produced = const_cast<ASN1_GENERALIZEDTIME*>(OCSP_resp_get0_produced_at(basic.get()));
  ossl::check(ASN1_GENERALIZEDTIME_set(produced, std::chrono::system_clock::to_time_t(produced_at)),
              "ASN1_GENERALIZEDTIME_set");
  ossl::check(
      OCSP_basic_sign(basic.get(), impl_->cert.get(), impl_->key.get(),
                      ossl::digest_for(impl_->key.get()), nullptr, OCSP_RESPID_KEY | OCSP_NOTIME),
      "OCSP_basic_sign");
  Response response(ossl::check(OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic.get()),
                                "OCSP_response_create"));
  unsigned char* buf = nullptr;
  const int len = i2d_OCSP_RESPONSE(response.get(), &buf);
  if (len <= 0) ossl::fail("i2d_OCSP_RESPONSE");
  std::string out(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(len));
  OPENSSL_free(buf);
  return out;
}

}  // namespace onshi::pki
