#include "pki/terminal_signer.hpp"

#include "pki/der.hpp"
#include "pki/profiles.hpp"
#include "pki/x509_build.hpp"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <stdexcept>
#include <tuple>

namespace onshi::pki::detail {
namespace {

using namespace std::string_view_literals;

constexpr unsigned char kOid = 0x06;
constexpr unsigned char kUtf8String = 0x0c;
constexpr unsigned char kPrintableString = 0x13;
constexpr unsigned char kSet = 0x31;

// SubjectPublicKeyInfo of a named-curve key with an uncompressed point, up to the point: the form
// OpenSSL writes, so such a key can go into the certificate as it came.
constexpr std::string_view kP256Prefix =
    "\x30\x59\x30\x13\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07"
    "\x03\x42\x00"sv;
constexpr std::string_view kP384Prefix =
    "\x30\x76\x30\x10\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x05\x2b\x81\x04\x00\x22\x03\x62\x00"sv;

void put_extension(std::string& out, std::string_view oid, bool critical, std::string_view value) {
  std::string body = der::tlv(kOid, oid);
  if (critical) body.append("\x01\x01\xff", 3);
  der::put_tlv(body, der::kOctetString, value);
  der::put_tlv(out, der::kSequence, body);
}

// DistributionPoint { distributionPoint [0] { fullName [0] { uniformResourceIdentifier [6] } } }
std::string distribution_points(std::string_view url) {
  return der::tlv(der::kSequence,
                  der::tlv(der::kSequence, der::tlv(0xa0, der::tlv(0xa0, der::tlv(0x86, url)))));
}

std::string oid_der(const std::string& dotted) {
  ossl::Object obj(OBJ_txt2obj(dotted.c_str(), 1));  // 1: dotted numbers only, never a name
  if (!obj) {
    ERR_clear_error();
    throw std::invalid_argument("bad policy OID: " + dotted);
  }
  unsigned char* buf = nullptr;
  const int len = i2d_ASN1_OBJECT(obj.get(), &buf);
  if (len <= 0) ossl::fail("i2d_ASN1_OBJECT");
  std::string out(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(len));
  OPENSSL_free(buf);
  return out;
}

// The extensions after the authorityKeyIdentifier: they depend on the profile only.
std::string profile_extensions(const TerminalProfile& p) {
  std::string out;
  if (!p.crl_url.empty()) put_extension(out, "\x55\x1d\x1f", false, distribution_points(p.crl_url));
  if (!p.delta_crl_url.empty())
    put_extension(out, "\x55\x1d\x2e", false, distribution_points(p.delta_crl_url));
  std::string aia;
  if (!p.ocsp_url.empty()) {
    der::put_tlv(aia, der::kSequence,
                 der::tlv(kOid, "\x2b\x06\x01\x05\x05\x07\x30\x01") + der::tlv(0x86, p.ocsp_url));
  }
  if (!p.ca_issuers_url.empty()) {
    der::put_tlv(
        aia, der::kSequence,
        der::tlv(kOid, "\x2b\x06\x01\x05\x05\x07\x30\x02") + der::tlv(0x86, p.ca_issuers_url));
  }
  if (!aia.empty()) {
    put_extension(out, "\x2b\x06\x01\x05\x05\x07\x01\x01", false, der::tlv(der::kSequence, aia));
  }
  if (!p.policy_oid.empty()) {
    std::string info = oid_der(p.policy_oid);
    if (!p.cps_url.empty()) {
      const std::string qualifier = der::tlv(kOid, "\x2b\x06\x01\x05\x05\x07\x02\x01") +
                                    der::tlv(0x16, p.cps_url);  // id-qt-cps, IA5String
      der::put_tlv(info, der::kSequence, der::tlv(der::kSequence, qualifier));
    }
    put_extension(out, "\x55\x1d\x20", false,
                  der::tlv(der::kSequence, der::tlv(der::kSequence, info)));
  }
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The serial's octets without leading zeros, refused as new_certificate (x509_build.cpp) refuses.
std::string serial_magnitude(std::string_view hex) {
  if (hex.empty() || hex.size() > 40 ||
      hex.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos) {
    throw std::invalid_argument("serial must be 1 to 40 hex digits");
  }
  while (!hex.empty() && hex.front() == '0') hex.remove_prefix(1);
  // RFC 5280 4.1.2.2: positive, and at most 20 octets once DER adds a sign byte.
  if (hex.empty() || hex.size() > 40 || (hex.size() == 40 && hex_digit(hex.front()) >= 8)) {
    throw std::invalid_argument("serial must be positive and fit in 20 octets");
  }
  std::string out;
  std::size_t i = 0;
  if (hex.size() % 2 == 1) out.push_back(static_cast<char>(hex_digit(hex[i++])));
  for (; i < hex.size(); i += 2)
    out.push_back(static_cast<char>(hex_digit(hex[i]) << 4 | hex_digit(hex[i + 1])));
  return out;
}

void put_rdn(std::string& out, std::string_view oid, unsigned char type, std::string_view value) {
  const std::string atv = der::tlv(kOid, oid) + der::tlv(type, value);
  der::put_tlv(out, kSet, der::tlv(der::kSequence, atv));
}

std::string sha1(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  ossl::check(EVP_Digest(data.data(), data.size(), md, &len, EVP_sha1(), nullptr), "SHA-1");
  return std::string(reinterpret_cast<const char*>(md), len);
}

std::string pem_of(std::string_view der) {
  std::string out = "-----BEGIN CERTIFICATE-----\n";
  unsigned char line[65];
  for (std::size_t at = 0; at < der.size(); at += 48) {
    const std::size_t n = std::min<std::size_t>(48, der.size() - at);
    const int len = EVP_EncodeBlock(line, reinterpret_cast<const unsigned char*>(der.data() + at),
                                    static_cast<int>(n));
    out.append(reinterpret_cast<const char*>(line), static_cast<std::size_t>(len));
    out.push_back('\n');
  }
  out += "-----END CERTIFICATE-----\n";
  return out;
}

// What X509_NAME_print_ex escapes with XN_FLAG_RFC2253 minus ASN1_STRFLGS_ESC_MSB (ossl::rfc2253),
// for one value read octet by octet: ,+"\<>; always, # and space first, space last (for a value
// of one octet only "last" counts, as in OpenSSL's do_buf), control octets as \XX.
void put_rfc2253_value(std::string& out, std::string_view v) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (std::size_t i = 0; i < v.size(); ++i) {
    const auto c = static_cast<unsigned char>(v[i]);
    const bool last = i + 1 == v.size();
    const bool first = i == 0 && !last;
    if (std::string_view(",+\"\\<>;").find(static_cast<char>(c)) != std::string_view::npos ||
        (first && (c == '#' || c == ' ')) || (last && c == ' ')) {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c == 0x7f) {
      out.push_back('\\');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0f]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
}

struct SubjectKey {
  std::string spki;    // as the certificate carries it
  std::string key_id;  // SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2 (1))
  bool rsa = false;
};

const EC_GROUP* group(int nid) {
  // Built once and only read after: EC_POINT_oct2point takes the group const.
  static const auto p256 = std::unique_ptr<EC_GROUP, ossl::Deleter<EC_GROUP_free>>(
      EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
  static const auto p384 = std::unique_ptr<EC_GROUP, ossl::Deleter<EC_GROUP_free>>(
      EC_GROUP_new_by_curve_name(NID_secp384r1));
  return ossl::check(nid == NID_secp384r1 ? p384.get() : p256.get(), "EC_GROUP_new_by_curve_name");
}

// A P-256 or P-384 key in OpenSSL's own encoding is taken as it is once its point is on the curve
// (what decoding it would check); any other key is decoded and encoded again, as X509_set_pubkey
// would, and must pass the terminal key policy.
SubjectKey subject_key(std::string_view der) {
  for (const auto& [prefix, nid, point_size] :
       {std::tuple{kP256Prefix, NID_X9_62_prime256v1, std::size_t{65}},
        std::tuple{kP384Prefix, NID_secp384r1, std::size_t{97}}}) {
    if (der.size() != prefix.size() + point_size || !der.starts_with(prefix) ||
        der[prefix.size()] != '\x04')
      continue;
    const std::string_view point = der.substr(prefix.size());
    std::unique_ptr<EC_POINT, ossl::Deleter<EC_POINT_free>> p(
        ossl::check(EC_POINT_new(group(nid)), "EC_POINT_new"));
    if (EC_POINT_oct2point(group(nid), p.get(),
                           reinterpret_cast<const unsigned char*>(point.data()), point.size(),
                           nullptr) != 1) {
      ERR_clear_error();
      throw std::invalid_argument("unreadable public key");
    }
    return SubjectKey{std::string(der), sha1(point), false};
  }
  ossl::Pkey key = ossl::public_key_from_der(der);
  if (!key) throw std::invalid_argument("unreadable public key");
  if (auto error = terminal_key_policy_error(key.get())) {
    throw std::invalid_argument("terminal key refused: " + std::string(csr_error_name(*error)));
  }
  return SubjectKey{ossl::public_key_der(key.get()), key_identifier(key.get()),
                    EVP_PKEY_is_a(key.get(), "RSA") == 1};
}

}  // namespace

std::string terminal_subject_rfc2253(std::string_view organization, std::string_view unit,
                                     std::string_view common_name, std::string_view serial_number) {
  std::string out = "serialNumber=";
  put_rfc2253_value(out, serial_number);
  out += ",CN=";
  put_rfc2253_value(out, common_name);
  out += ",OU=";
  put_rfc2253_value(out, unit);
  out += ",O=";
  put_rfc2253_value(out, organization);
  out += ",C=JP";
  return out;
}

struct TerminalSigner::Prepared {
  Prepared(EVP_PKEY* k, std::mutex& lock) : key(k), key_lock(lock) {}
  EVP_PKEY* key;
  std::mutex& key_lock;
  std::chrono::system_clock::time_point ca_not_after;
  std::unique_ptr<EVP_MD, ossl::Deleter<EVP_MD_free>> md;  // fetched once
  std::string algorithm;                                   // AlgorithmIdentifier
  std::string issuer;                                      // Name, as in the issuing certificate
  std::string authority_key_id;                            // the whole Extension
  // For provider keys: EVP_PKEY_sign on the digest, the context initialised once. ENGINE (PKCS#11)
  // keys sign through EVP_DigestSign each time, as X509_sign does, nothing kept between calls.
  ossl::PkeyCtx sign_ctx;
  std::size_t max_signature = 0;

  std::mutex profile_mutex;  // guards the two below
  TerminalProfile profile;
  std::shared_ptr<const std::string> profile_ext;
};

struct TerminalSigner::Tbs {
  std::string der;
  std::string serial;  // magnitude octets
  std::string subject;
  std::chrono::system_clock::time_point not_before, not_after;
};

TerminalSigner::TerminalSigner(const X509* issuing_cert, EVP_PKEY* issuing_key,
                               std::mutex& key_lock)
    : p_(std::make_unique<Prepared>(issuing_key, key_lock)) {
  p_->ca_not_after = ossl::to_time_point(X509_get0_notAfter(issuing_cert));
  const EVP_MD* legacy_md = ossl::digest_for(issuing_key);
  p_->md.reset(
      ossl::check(EVP_MD_fetch(nullptr, EVP_MD_get0_name(legacy_md), nullptr), "EVP_MD_fetch"));
  p_->algorithm = signature_algorithm_der(issuing_key, legacy_md);
  p_->issuer = ossl::name_der(X509_get_subject_name(issuing_cert));
  // What "keyid:always" takes: the issuing certificate's subjectKeyIdentifier.
  std::string key_id;
  // OpenSSL 3.0 takes a non-const X509 here though it only reads (it caches the extensions).
  if (const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(const_cast<X509*>(issuing_cert))) {
    key_id.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(ski)),
                  static_cast<std::size_t>(ASN1_STRING_length(ski)));
  } else {
    key_id = key_identifier(X509_get0_pubkey(issuing_cert));
  }
  put_extension(p_->authority_key_id, "\x55\x1d\x23", false,
                der::tlv(der::kSequence, der::tlv(0x80, key_id)));

  if (EVP_PKEY_get0_provider(issuing_key) != nullptr) {
    p_->sign_ctx.reset(
        ossl::check(EVP_PKEY_CTX_new_from_pkey(nullptr, issuing_key, nullptr), "EVP_PKEY_CTX"));
    ossl::check(EVP_PKEY_sign_init(p_->sign_ctx.get()), "EVP_PKEY_sign_init");
    if (EVP_PKEY_is_a(issuing_key, "RSA"))
      ossl::check(EVP_PKEY_CTX_set_rsa_padding(p_->sign_ctx.get(), RSA_PKCS1_PADDING), "padding");
    ossl::check(EVP_PKEY_CTX_set_signature_md(p_->sign_ctx.get(), p_->md.get()), "signature md");
    p_->max_signature = static_cast<std::size_t>(EVP_PKEY_get_size(issuing_key));
  }
}

TerminalSigner::~TerminalSigner() = default;

TerminalSigner::Tbs TerminalSigner::build(const TerminalSubject& subject,
                                          std::string_view public_key_der,
                                          const TerminalProfile& profile,
                                          std::string_view serial_hex,
                                          std::chrono::system_clock::time_point now) const {
  // The checks of IssuingCa::issue and build_terminal_certificate, in their order.
  const SubjectKey key = subject_key(public_key_der);
  check_terminal_subject(subject, profile);
  const std::string& code = subject.institution_code;
  if (!is_printable_string(subject.issuance_number)) {
    throw std::invalid_argument("not a PrintableString: " + subject.issuance_number);
  }
  const std::string organization = truncate_code_points(subject.institution_name, 64);
  const std::string common_name = code + "-" + subject.terminal;

  Tbs out;
  out.not_before = std::chrono::floor<std::chrono::seconds>(now);
  out.not_after =
      std::min(add_months_clamped(out.not_before, profile.validity_months), p_->ca_not_after);
  if (out.not_after <= out.not_before) {
    throw std::runtime_error("the issuing CA certificate has expired");
  }
  out.serial = serial_magnitude(serial_hex);

  std::shared_ptr<const std::string> profile_ext;
  {
    std::lock_guard lock(p_->profile_mutex);
    const TerminalProfile& c = p_->profile;
    if (!p_->profile_ext || c.crl_url != profile.crl_url || c.ocsp_url != profile.ocsp_url ||
        c.ca_issuers_url != profile.ca_issuers_url || c.delta_crl_url != profile.delta_crl_url ||
        c.policy_oid != profile.policy_oid || c.cps_url != profile.cps_url) {
      p_->profile_ext = std::make_shared<const std::string>(profile_extensions(profile));
      p_->profile = profile;
    }
    profile_ext = p_->profile_ext;
  }

  // RDN order C, O, OU, CN, serialNumber, one attribute each (CPIPCS 7.1.1).
  std::string name;
  put_rdn(name, "\x55\x04\x06", kPrintableString, "JP");
  put_rdn(name, "\x55\x04\x0a", kUtf8String, organization);
  put_rdn(name, "\x55\x04\x0b", kUtf8String, code);
  put_rdn(name, "\x55\x04\x03", kUtf8String, common_name);
  put_rdn(name, "\x55\x04\x05", kPrintableString, subject.issuance_number);

  std::string exts;
  put_extension(exts, "\x55\x1d\x0f", true,                          // keyUsage
                key.rsa ? std::string_view("\x03\x02\x05\xa0", 4)    // + keyEncipherment
                        : std::string_view("\x03\x02\x07\x80", 4));  // digitalSignature
  put_extension(exts, "\x55\x1d\x25", false,                         // extKeyUsage clientAuth
                std::string_view("\x30\x0a\x06\x08\x2b\x06\x01\x05\x05\x07\x03\x02", 12));
  put_extension(exts, "\x55\x1d\x13", true, std::string_view("\x30\x00", 2));  // CA:FALSE
  put_extension(exts, "\x55\x1d\x0e", false, der::tlv(der::kOctetString, key.key_id));
  exts += p_->authority_key_id;
  exts += *profile_ext;

  std::string body("\xa0\x03\x02\x01\x02", 5);  // version v3
  std::string serial_content;
  if (static_cast<unsigned char>(out.serial.front()) & 0x80) serial_content.push_back('\0');
  serial_content += out.serial;
  der::put_tlv(body, der::kInteger, serial_content);
  body += p_->algorithm;
  body += p_->issuer;
  std::string validity;
  der::put_time(validity, out.not_before);
  der::put_time(validity, out.not_after);
  der::put_tlv(body, der::kSequence, validity);
  der::put_tlv(body, der::kSequence, name);
  body += key.spki;
  der::put_tlv(body, 0xa3, der::tlv(der::kSequence, exts));
  out.der.reserve(body.size() + 4);
  der::put_tlv(out.der, der::kSequence, body);
  out.subject = terminal_subject_rfc2253(organization, code, common_name, subject.issuance_number);
  return out;
}

std::string TerminalSigner::sign(std::string_view tbs) const {
  const auto* data = reinterpret_cast<const unsigned char*>(tbs.data());
  std::string sig;
  if (p_->sign_ctx) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    ossl::check(EVP_Digest(data, tbs.size(), md, &md_len, p_->md.get(), nullptr), "EVP_Digest");
    sig.resize(p_->max_signature + 1);
    std::size_t len = p_->max_signature;
    {
      std::lock_guard lock(p_->key_lock);
      ossl::check(EVP_PKEY_sign(p_->sign_ctx.get(), reinterpret_cast<unsigned char*>(&sig[1]), &len,
                                md, md_len),
                  "EVP_PKEY_sign");
    }
    sig.resize(len + 1);
  } else {
    ossl::MdCtx ctx(ossl::check(EVP_MD_CTX_new(), "EVP_MD_CTX_new"));
    std::lock_guard lock(p_->key_lock);
    ossl::check(EVP_DigestSignInit(ctx.get(), nullptr, ossl::digest_for(p_->key), nullptr, p_->key),
                "EVP_DigestSignInit");
    std::size_t len = 0;
    ossl::check(EVP_DigestSign(ctx.get(), nullptr, &len, data, tbs.size()), "EVP_DigestSign");
    sig.resize(len + 1);
    ossl::check(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(&sig[1]), &len, data,
                               tbs.size()),
                "EVP_DigestSign");
    sig.resize(len + 1);
  }
  sig[0] = '\0';  // a BIT STRING's first octet: no unused bits
  return sig;
}

std::string TerminalSigner::tbs_certificate(const TerminalSubject& subject,
                                            std::string_view public_key_der,
                                            const TerminalProfile& profile,
                                            std::string_view serial_hex,
                                            std::chrono::system_clock::time_point now) const {
  return build(subject, public_key_der, profile, serial_hex, now).der;
}

IssuedCertificate TerminalSigner::issue(const TerminalSubject& subject,
                                        std::string_view public_key_der,
                                        const TerminalProfile& profile, std::string_view serial_hex,
                                        std::chrono::system_clock::time_point now) const {
  Tbs tbs = build(subject, public_key_der, profile, serial_hex, now);
  const std::string signature = sign(tbs.der);
  std::string body = std::move(tbs.der);
  body += p_->algorithm;
  der::put_tlv(body, der::kBitString, signature);
  IssuedCertificate out;
  out.der.reserve(body.size() + 4);
  der::put_tlv(out.der, der::kSequence, body);
  out.pem = pem_of(out.der);
  out.serial_hex =
      ossl::lower_hex(reinterpret_cast<const unsigned char*>(tbs.serial.data()), tbs.serial.size());
  out.subject = std::move(tbs.subject);
  out.not_before = tbs.not_before;
  out.not_after = tbs.not_after;
  out.sha256_fingerprint = ossl::sha256_colon_fingerprint(out.der);
  return out;
}

}  // namespace onshi::pki::detail
