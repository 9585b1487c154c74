#include "pki/terminal_signer.hpp"

#include "pki/terminal_der.hpp"

#include "pki/der.hpp"
#include "pki/profiles.hpp"
#include "pki/x509_build.hpp"

#include <openssl/err.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <stdexcept>

namespace onshi::pki::detail {

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
