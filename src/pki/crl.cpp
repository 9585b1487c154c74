// The CRLs of an issuing CA generation (CPIPCS 7.2.1): CrlBuilder over the shared encoder, with
// the generation's certificate and key taken from the IssuingCa that holds them.
#include "pki/crl.hpp"

#include "pki/crl_encoder.hpp"
#include "pki/issuing_ca_impl.hpp"

#include <openssl/err.h>

#include <stdexcept>

namespace onshi::pki {

struct CrlBuilder::Impl {
  detail::CrlEncoder encoder;
};

CrlBuilder::CrlBuilder(const IssuingCa& ca, std::string_view issuer_key_id_hex,
                       const CrlFields& fields) {
  const CaGeneration* generation = detail::impl_of(ca).find(issuer_key_id_hex);
  if (generation == nullptr) {
    throw std::invalid_argument("no issuing CA generation with key id " +
                                std::string(issuer_key_id_hex));
  }
  impl_ = std::make_unique<Impl>(
      Impl{detail::CrlEncoder(generation->cert.get(), generation->key.get(), fields,
                              detail::CrlEncoder::Scope::user_certificates)});
}

CrlBuilder::~CrlBuilder() = default;
CrlBuilder::CrlBuilder(CrlBuilder&&) noexcept = default;
CrlBuilder& CrlBuilder::operator=(CrlBuilder&&) noexcept = default;

void CrlBuilder::reserve(std::size_t entries) {
  impl_->encoder.reserve(entries);
}

void CrlBuilder::add(const CrlEntry& entry) {
  impl_->encoder.add(entry);
}

std::size_t CrlBuilder::entries() const {
  return impl_->encoder.entries();
}

std::string CrlBuilder::sign() {
  return impl_->encoder.sign(detail::signing_mutex());
}

CrlSummary summarize_crl(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<X509_CRL, ossl::Deleter<X509_CRL_free>> crl(
      d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
  if (!crl || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    ERR_clear_error();
    throw std::runtime_error("not a DER CRL");
  }
  CrlSummary out;
  auto integer_ext = [&](int nid) -> std::optional<std::int64_t> {
    ossl::Integer v(
        static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl.get(), nid, nullptr, nullptr)));
    std::int64_t n = 0;
    if (!v || ASN1_INTEGER_get_int64(&n, v.get()) != 1) return std::nullopt;
    return n;
  };
  out.number = integer_ext(NID_crl_number).value_or(0);
  out.delta_base = integer_ext(NID_delta_crl);
  out.this_update = ossl::to_time_point(X509_CRL_get0_lastUpdate(crl.get()));
  if (const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl.get()))
    out.next_update = ossl::to_time_point(next);
  const STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl.get());
  out.entries = revoked ? static_cast<std::size_t>(sk_X509_REVOKED_num(revoked)) : 0;
  out.issuer = ossl::rfc2253(X509_CRL_get_issuer(crl.get()));
  ERR_clear_error();
  return out;
}

}  // namespace onshi::pki
