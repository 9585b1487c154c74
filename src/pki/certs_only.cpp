#include "pki/certs_only.hpp"

#include <openssl/pem.h>
#include <openssl/pkcs7.h>

#include <stdexcept>

#include "pki/ossl.hpp"

namespace onshi::pki {
namespace {

ossl::Cert parse(std::string_view der) {
  ossl::Cert cert = ossl::cert_from_der(der);
  if (!cert) throw std::invalid_argument("certs_only: a certificate does not parse");
  return cert;
}

}  // namespace

std::string certs_only_pkcs7(const std::vector<std::string_view>& certificates_der) {
  std::unique_ptr<PKCS7, ossl::Deleter<PKCS7_free>> p7(ossl::check(PKCS7_new(), "PKCS7_new"));
  ossl::check(PKCS7_set_type(p7.get(), NID_pkcs7_signed), "PKCS7_set_type");
  // A degenerate SignedData still names its content type: data, with the content absent, as
  // `openssl crl2pkcs7 -nocrl` writes it.
  p7->d.sign->contents->type = OBJ_nid2obj(NID_pkcs7_data);
  for (const auto der : certificates_der) {
    ossl::Cert cert = parse(der);
    ossl::check(PKCS7_add_certificate(p7.get(), cert.get()), "PKCS7_add_certificate");
  }
  unsigned char* buf = nullptr;
  const int len = i2d_PKCS7(p7.get(), &buf);
  if (len <= 0) ossl::fail("i2d_PKCS7");
  std::string out(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(len));
  OPENSSL_free(buf);
  return out;
}

std::string certificates_pem(const std::vector<std::string_view>& certificates_der) {
  ossl::Bio bio(ossl::check(BIO_new(BIO_s_mem()), "BIO_new"));
  for (const auto der : certificates_der) {
    ossl::Cert cert = parse(der);
    ossl::check(PEM_write_bio_X509(bio.get(), cert.get()), "PEM_write_bio_X509");
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace onshi::pki
