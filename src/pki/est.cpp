#include "pki/est.hpp"

#include <openssl/err.h>
#include <openssl/objects.h>

#include <stdexcept>

#include "pki/ossl.hpp"

namespace onshi::pki {
namespace {

// A DER length: short form below 128, else the long form with as few octets as it takes.
void append_length(std::string& out, std::size_t length) {
  if (length < 0x80) {
    out.push_back(static_cast<char>(length));
    return;
  }
  std::string octets;
  for (std::size_t n = length; n > 0; n >>= 8) octets.insert(octets.begin(), static_cast<char>(n));
  out.push_back(static_cast<char>(0x80 | octets.size()));
  out += octets;
}

std::string tlv(unsigned char tag, std::string_view content) {
  std::string out(1, static_cast<char>(tag));
  append_length(out, content.size());
  out += content;
  return out;
}

constexpr unsigned char kSequence = 0x30;
constexpr unsigned char kSet = 0x31;

std::string oid(int nid) {
  const ASN1_OBJECT* object = OBJ_nid2obj(nid);
  if (object == nullptr) throw std::logic_error("csr_attributes_der: unknown NID");
  unsigned char* buf = nullptr;
  const int len = i2d_ASN1_OBJECT(object, &buf);
  if (len <= 0) ossl::fail("i2d_ASN1_OBJECT");
  std::string out(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(len));
  OPENSSL_free(buf);
  return out;
}

ossl::Name name_from_der(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ossl::Name name(d2i_X509_NAME(nullptr, &p, static_cast<long>(der.size())));
  if (!name || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    ERR_clear_error();
    return nullptr;
  }
  return name;
}

}  // namespace

std::string csr_attributes_der(KeyAlgorithm algorithm) {
  std::string items;
  switch (algorithm) {
    case KeyAlgorithm::ec_p256:
    case KeyAlgorithm::ec_p384: {
      const bool p256 = algorithm == KeyAlgorithm::ec_p256;
      // RFC 7030 4.5.2's own example: the curve as the value of an id-ecPublicKey Attribute,
      // the signature algorithm as a bare OID.
      items += tlv(kSequence, oid(NID_X9_62_id_ecPublicKey) +
                                  tlv(kSet, oid(p256 ? NID_X9_62_prime256v1 : NID_secp384r1)));
      items += oid(p256 ? NID_ecdsa_with_SHA256 : NID_ecdsa_with_SHA384);
      break;
    }
    case KeyAlgorithm::rsa_2048:
    case KeyAlgorithm::rsa_3072:
      items += oid(NID_rsaEncryption);
      items += oid(NID_sha256WithRSAEncryption);
      break;
  }
  return tlv(kSequence, items);
}

std::optional<CertificateFacts> read_certificate(std::string_view der) {
  ossl::Cert cert = ossl::cert_from_der(der);
  if (!cert) return std::nullopt;
  CertificateFacts out;
  out.serial_hex = ossl::serial_hex(cert.get());
  out.subject_der = ossl::name_der(X509_get_subject_name(cert.get()));
  const int at = X509_get_ext_by_NID(cert.get(), NID_subject_alt_name, -1);
  if (at >= 0) {
    const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(X509_get_ext(cert.get(), at));
    out.subject_alt_name_der.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                                    static_cast<std::size_t>(ASN1_STRING_length(value)));
  }
  const EVP_PKEY* key = X509_get0_pubkey(cert.get());
  if (key == nullptr) {
    ERR_clear_error();
    return std::nullopt;
  }
  out.public_key_der = ossl::public_key_der(key);
  out.not_before = ossl::to_time_point(X509_get0_notBefore(cert.get()));
  out.not_after = ossl::to_time_point(X509_get0_notAfter(cert.get()));
  return out;
}

bool same_name(std::string_view a_der, std::string_view b_der) {
  const ossl::Name a = name_from_der(a_der);
  const ossl::Name b = name_from_der(b_der);
  if (!a || !b) return false;
  const bool same = X509_NAME_cmp(a.get(), b.get()) == 0;
  ERR_clear_error();
  return same;
}

}  // namespace onshi::pki
