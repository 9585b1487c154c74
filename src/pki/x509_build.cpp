#include "pki/x509_build.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#include <stdexcept>
#include <vector>

namespace onshi::pki::detail {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits at commas not preceded by a backslash, and removes those backslashes.
std::vector<std::string> split_rdns(std::string_view text) {
  std::vector<std::string> parts(1);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      parts.back().push_back(text[++i]);
    } else if (text[i] == ',') {
      parts.emplace_back();
    } else {
      parts.back().push_back(text[i]);
    }
  }
  return parts;
}

}  // namespace

bool is_printable_string(std::string_view value) {
  for (char c : value) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    std::string_view(" '()+,-./:=?").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

void add_name_entry(X509_NAME* name, int nid, std::string_view value) {
  const bool printable = nid == NID_countryName || nid == NID_serialNumber;
  if (printable && !is_printable_string(value)) {
    throw std::invalid_argument("not a PrintableString: " + std::string(value));
  }
  if (nid == NID_countryName && value.size() != 2) {
    throw std::invalid_argument("country must be two letters");
  }
  // An explicit string type, so the encoding does not depend on OpenSSL's global string mask.
  const int type = printable ? V_ASN1_PRINTABLESTRING : V_ASN1_UTF8STRING;
  ossl::check(X509_NAME_add_entry_by_NID(name, nid, type,
                                         reinterpret_cast<const unsigned char*>(value.data()),
                                         static_cast<int>(value.size()), -1, 0),
              "X509_NAME_add_entry_by_NID");
}

ossl::Name parse_dn(std::string_view text) {
  ossl::Name name(ossl::check(X509_NAME_new(), "X509_NAME_new"));
  for (const std::string& part : split_rdns(text)) {
    const std::string_view rdn = trim(part);
    const auto eq = rdn.find('=');
    if (eq == std::string_view::npos) throw std::invalid_argument("bad DN: " + std::string(text));
    const std::string key(trim(rdn.substr(0, eq)));
    const int nid = OBJ_txt2nid(key.c_str());
    if (nid == NID_undef) throw std::invalid_argument("unknown DN attribute: " + key);
    add_name_entry(name.get(), nid, trim(rdn.substr(eq + 1)));
  }
  if (X509_NAME_entry_count(name.get()) == 0) throw std::invalid_argument("empty DN");
  return name;
}

ossl::Cert new_certificate(std::string_view serial_hex, std::chrono::system_clock::time_point from,
                           std::chrono::system_clock::time_point until, const X509_NAME* subject,
                           const X509_NAME* issuer, EVP_PKEY* public_key) {
  if (serial_hex.empty() || serial_hex.size() > 40 ||
      serial_hex.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos) {
    throw std::invalid_argument("serial must be 1 to 40 hex digits");
  }
  ossl::Cert cert(ossl::check(X509_new(), "X509_new"));
  ossl::check(X509_set_version(cert.get(), X509_VERSION_3), "X509_set_version");

  BIGNUM* raw = nullptr;
  const std::string hex(serial_hex);
  ossl::check(BN_hex2bn(&raw, hex.c_str()), "BN_hex2bn");
  ossl::BigNum bn(raw);
  // RFC 5280 4.1.2.2: positive, and at most 20 octets once DER adds a sign byte.
  if (BN_is_zero(bn.get()) || BN_num_bits(bn.get()) > 159) {
    throw std::invalid_argument("serial must be positive and fit in 20 octets");
  }
  ossl::Integer serial(ossl::check(BN_to_ASN1_INTEGER(bn.get(), nullptr), "BN_to_ASN1_INTEGER"));
  ossl::check(X509_set_serialNumber(cert.get(), serial.get()), "X509_set_serialNumber");

  ossl::check(X509_set1_notBefore(cert.get(), ossl::asn1_time(from).get()), "notBefore");
  ossl::check(X509_set1_notAfter(cert.get(), ossl::asn1_time(until).get()), "notAfter");
  ossl::check(X509_set_subject_name(cert.get(), subject), "X509_set_subject_name");
  ossl::check(X509_set_issuer_name(cert.get(), issuer), "X509_set_issuer_name");
  ossl::check(X509_set_pubkey(cert.get(), public_key), "X509_set_pubkey");
  return cert;
}

void add_ext(X509* cert, const X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, const_cast<X509*>(issuer), cert, nullptr, nullptr, 0);
  ossl::Extension ext(
      ossl::check(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value), "X509V3_EXT_conf_nid"));
  ossl::check(X509_add_ext(cert, ext.get(), -1), "X509_add_ext");
}

namespace {

ossl::GeneralName uri_name(const std::string& url) {
  ossl::GeneralName gn(ossl::check(GENERAL_NAME_new(), "GENERAL_NAME_new"));
  ASN1_IA5STRING* ia5 = ossl::check(ASN1_IA5STRING_new(), "ASN1_IA5STRING_new");
  if (ASN1_STRING_set(ia5, url.data(), static_cast<int>(url.size())) != 1) {
    ASN1_IA5STRING_free(ia5);
    ossl::fail("ASN1_STRING_set");
  }
  GENERAL_NAME_set0_value(gn.get(), GEN_URI, ia5);
  return gn;
}

void free_dist_points(CRL_DIST_POINTS* p) {
  sk_DIST_POINT_pop_free(p, DIST_POINT_free);
}
void free_aia(AUTHORITY_INFO_ACCESS* p) {
  sk_ACCESS_DESCRIPTION_pop_free(p, ACCESS_DESCRIPTION_free);
}
void free_policies(CERTIFICATEPOLICIES* p) {
  sk_POLICYINFO_pop_free(p, POLICYINFO_free);
}

}  // namespace

namespace {

// Built from structures rather than configuration strings, so a URL with a comma cannot change
// the meaning of the extension.
void add_distribution_point(X509* cert, int nid, const std::string& url) {
  std::unique_ptr<CRL_DIST_POINTS, ossl::Deleter<free_dist_points>> points(
      ossl::check(sk_DIST_POINT_new_null(), "sk_DIST_POINT_new_null"));
  std::unique_ptr<DIST_POINT, ossl::Deleter<DIST_POINT_free>> point(
      ossl::check(DIST_POINT_new(), "DIST_POINT_new"));
  point->distpoint = ossl::check(DIST_POINT_NAME_new(), "DIST_POINT_NAME_new");
  point->distpoint->type = 0;  // fullName
  point->distpoint->name.fullname = ossl::check(sk_GENERAL_NAME_new_null(), "GENERAL_NAMES");
  ossl::GeneralName gn = uri_name(url);
  ossl::check(sk_GENERAL_NAME_push(point->distpoint->name.fullname, gn.get()), "push");
  gn.release();
  ossl::check(sk_DIST_POINT_push(points.get(), point.get()), "push");
  point.release();
  ossl::check(X509_add1_ext_i2d(cert, nid, points.get(), 0, X509V3_ADD_APPEND),
              "cRLDistributionPoints");
}

}  // namespace

void add_crl_distribution_point(X509* cert, const std::string& url) {
  add_distribution_point(cert, NID_crl_distribution_points, url);
}

void add_freshest_crl(X509* cert, const std::string& url) {
  add_distribution_point(cert, NID_freshest_crl, url);
}

void add_authority_info_access(X509* cert, const std::string& ocsp_url,
                               const std::string& ca_issuers_url) {
  std::unique_ptr<AUTHORITY_INFO_ACCESS, ossl::Deleter<free_aia>> aia(
      ossl::check(sk_ACCESS_DESCRIPTION_new_null(), "sk_ACCESS_DESCRIPTION_new_null"));
  auto add = [&](int method, const std::string& url) {
    if (url.empty()) return;
    std::unique_ptr<ACCESS_DESCRIPTION, ossl::Deleter<ACCESS_DESCRIPTION_free>> ad(
        ossl::check(ACCESS_DESCRIPTION_new(), "ACCESS_DESCRIPTION_new"));
    ASN1_OBJECT_free(ad->method);
    ad->method = OBJ_nid2obj(method);
    GENERAL_NAME_free(ad->location);
    ad->location = uri_name(url).release();
    ossl::check(sk_ACCESS_DESCRIPTION_push(aia.get(), ad.get()), "push");
    ad.release();
  };
  add(NID_ad_OCSP, ocsp_url);
  add(NID_ad_ca_issuers, ca_issuers_url);
  if (sk_ACCESS_DESCRIPTION_num(aia.get()) == 0) return;
  ossl::check(X509_add1_ext_i2d(cert, NID_info_access, aia.get(), 0, X509V3_ADD_APPEND),
              "authorityInfoAccess");
}

void add_certificate_policy(X509* cert, const std::string& oid, const std::string& cps_url) {
  std::unique_ptr<CERTIFICATEPOLICIES, ossl::Deleter<free_policies>> policies(
      ossl::check(sk_POLICYINFO_new_null(), "sk_POLICYINFO_new_null"));
  std::unique_ptr<POLICYINFO, ossl::Deleter<POLICYINFO_free>> info(
      ossl::check(POLICYINFO_new(), "POLICYINFO_new"));
  ASN1_OBJECT_free(info->policyid);
  info->policyid = OBJ_txt2obj(oid.c_str(), 1);  // 1: dotted numbers only, never a name
  if (info->policyid == nullptr) throw std::invalid_argument("bad policy OID: " + oid);
  if (!cps_url.empty()) {
    info->qualifiers = ossl::check(sk_POLICYQUALINFO_new_null(), "sk_POLICYQUALINFO_new_null");
    POLICYQUALINFO* qual = ossl::check(POLICYQUALINFO_new(), "POLICYQUALINFO_new");
    if (sk_POLICYQUALINFO_push(info->qualifiers, qual) <= 0) {
      POLICYQUALINFO_free(qual);
      ossl::fail("push");
    }
    ASN1_OBJECT_free(qual->pqualid);
    qual->pqualid = OBJ_nid2obj(NID_id_qt_cps);
    qual->d.cpsuri = ossl::check(ASN1_IA5STRING_new(), "ASN1_IA5STRING_new");
    ossl::check(ASN1_STRING_set(qual->d.cpsuri, cps_url.data(), static_cast<int>(cps_url.size())),
                "ASN1_STRING_set");
  }
  ossl::check(sk_POLICYINFO_push(policies.get(), info.get()), "push");
  info.release();
  ossl::check(
      X509_add1_ext_i2d(cert, NID_certificate_policies, policies.get(), 0, X509V3_ADD_APPEND),
      "certificatePolicies");
}

void sign(X509* cert, EVP_PKEY* key) {
  if (X509_sign(cert, key, ossl::digest_for(key)) <= 0) ossl::fail("X509_sign");
}

std::string signature_algorithm_der(EVP_PKEY* key, const EVP_MD* md) {
  int sig_nid = NID_undef;
  const int key_nid = EVP_PKEY_get_base_id(key);
  if (OBJ_find_sigid_by_algs(&sig_nid, EVP_MD_get_type(md), key_nid) != 1)
    ossl::fail("no signature algorithm for the CA key");
  std::unique_ptr<X509_ALGOR, ossl::Deleter<X509_ALGOR_free>> alg(
      ossl::check(X509_ALGOR_new(), "X509_ALGOR_new"));
  // RFC 4055: NULL parameters for PKCS#1 v1.5; RFC 5758: none at all for ECDSA.
  ossl::check(X509_ALGOR_set0(alg.get(), OBJ_nid2obj(sig_nid),
                              key_nid == EVP_PKEY_RSA ? V_ASN1_NULL : V_ASN1_UNDEF, nullptr),
              "X509_ALGOR_set0");
  unsigned char* buf = nullptr;
  const int len = i2d_X509_ALGOR(alg.get(), &buf);
  if (len <= 0) ossl::fail("i2d_X509_ALGOR");
  std::string out(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(len));
  OPENSSL_free(buf);
  return out;
}

ossl::Pkey generate_key(KeyAlgorithm algorithm) {
  EVP_PKEY* key = nullptr;
  switch (algorithm) {
    case KeyAlgorithm::ec_p256:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case KeyAlgorithm::ec_p384:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
      break;
    case KeyAlgorithm::rsa_2048:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048});
      break;
    case KeyAlgorithm::rsa_3072:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{3072});
      break;
  }
  return ossl::Pkey(ossl::check(key, "key generation"));
}

std::string key_identifier(const EVP_PKEY* key) {
  const std::string der = ossl::public_key_der(key);
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<X509_PUBKEY, ossl::Deleter<X509_PUBKEY_free>> pub(
      ossl::check(d2i_X509_PUBKEY(nullptr, &p, static_cast<long>(der.size())), "d2i_X509_PUBKEY"));
  const unsigned char* bits = nullptr;
  int len = 0;
  ossl::check(X509_PUBKEY_get0_param(nullptr, &bits, &len, nullptr, pub.get()),
              "X509_PUBKEY_get0_param");
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  ossl::check(EVP_Digest(bits, static_cast<std::size_t>(len), md, &md_len, EVP_sha1(), nullptr),
              "EVP_Digest");
  return std::string(reinterpret_cast<const char*>(md), md_len);
}

}  // namespace onshi::pki::detail
