#include "pki/terminal_credentials.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>

#include <memory>
#include <mutex>
#include <optional>

#include "pki/ossl.hpp"

namespace onshi::pki {
namespace {

using Pkcs12 = std::unique_ptr<PKCS12, ossl::Deleter<PKCS12_free>>;
using Unexpected = std::unexpected<CredentialsError>;

// RC2-40 (what `openssl pkcs12 -export -legacy` and older Windows exports use for certificates)
// lives in OpenSSL 3's legacy provider. Loaded only when a file needs it, keeping the default
// provider beside it, so that a process that never meets such a file never has it.
bool load_legacy_provider() {
  static std::once_flag once;
  // Kept for the life of the process, and held here so that LeakSanitizer sees it still in use.
  static OSSL_PROVIDER* legacy = nullptr;
  std::call_once(once, [] {
    legacy = OSSL_PROVIDER_try_load(nullptr, "legacy", 1);
    ERR_clear_error();
  });
  return legacy != nullptr;
}

std::string key_pem_of(EVP_PKEY* key) {
  ossl::Bio bio = ossl::mem_bio();
  ossl::check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr),
              "PEM_write_bio_PrivateKey");
  std::string pem = ossl::bio_string(bio.get());
  BUF_MEM* mem = nullptr;
  BIO_get_mem_ptr(bio.get(), &mem);
  if (mem != nullptr) OPENSSL_cleanse(mem->data, mem->length);
  return pem;
}

TerminalCredentials credentials_of(X509* cert, EVP_PKEY* key, STACK_OF(X509) * others) {
  TerminalCredentials c;
  c.cert_der = ossl::cert_der(cert);
  c.cert_pem = ossl::cert_pem(cert);
  for (int i = 0; others != nullptr && i < sk_X509_num(others); ++i) {
    X509* other = sk_X509_value(others, i);
    if (other != cert) c.chain_der.push_back(ossl::cert_der(other));
  }
  c.key_pem = key_pem_of(key);
  c.key_description = ossl::describe_key(key);
  c.key_matches = EVP_PKEY_eq(X509_get0_pubkey(cert), key) == 1;
  ERR_clear_error();
  int len = 0;
  if (const unsigned char* alias = X509_alias_get0(cert, &len); alias != nullptr && len > 0)
    c.friendly_name.assign(reinterpret_cast<const char*>(alias), static_cast<std::size_t>(len));
  return c;
}

// The MAC proves the password before anything is decrypted, so that a wrong password is told
// apart from a cipher this OpenSSL lacks. nullopt: the MAC verifies (or there is none).
std::optional<CredentialsError> check_mac(PKCS12* p12, const std::string& pass) {
  if (!PKCS12_mac_present(p12)) return std::nullopt;
  for (int attempt = 0; attempt < 2; ++attempt) {
    ERR_clear_error();
    if (PKCS12_verify_mac(p12, pass.c_str(), -1) == 1) return std::nullopt;
    // Windows writes an empty password as no password at all (OpenSSL's PKCS12_parse does so too).
    if (pass.empty() && PKCS12_verify_mac(p12, nullptr, 0) == 1) return std::nullopt;
    // A MAC that differs fails quietly; one that cannot be computed leaves an error.
    if (ERR_peek_error() == 0) return CredentialsError::wrong_password;
    ERR_clear_error();
    if (attempt == 0 && !load_legacy_provider()) break;
  }
  return CredentialsError::unsupported_algorithm;
}

bool is_pem(std::string_view bytes) {
  return bytes.find("-----BEGIN ") != std::string_view::npos;
}

// OpenSSL 3's decoders do not say "no such block" apart from "a broken block", so the labels are
// looked for here: CERTIFICATE (also X509 and TRUSTED CERTIFICATE), and every private key's
// (PRIVATE KEY, RSA/EC PRIVATE KEY, ENCRYPTED PRIVATE KEY).
bool has_block(std::string_view bytes, std::string_view label_end) {
  for (auto at = bytes.find("-----BEGIN "); at != std::string_view::npos;
       at = bytes.find("-----BEGIN ", at + 1)) {
    const auto end = bytes.find("-----", at + 11);
    if (end == std::string_view::npos) return false;
    if (bytes.substr(at + 11, end - at - 11).ends_with(label_end)) return true;
  }
  return false;
}

struct PasswordSource {
  std::string_view password;
  bool asked = false;
};

int give_password(char* buf, int size, int /*rwflag*/, void* userdata) {
  auto* source = static_cast<PasswordSource*>(userdata);
  source->asked = true;
  if (source->password.empty() || source->password.size() > static_cast<std::size_t>(size))
    return -1;
  source->password.copy(buf, source->password.size());
  return static_cast<int>(source->password.size());
}

}  // namespace

std::string_view credentials_error_name(CredentialsError e) {
  switch (e) {
    case CredentialsError::too_large:
      return "too_large";
    case CredentialsError::not_pkcs12:
      return "not_pkcs12";
    case CredentialsError::wrong_password:
      return "wrong_password";
    case CredentialsError::password_needed:
      return "password_needed";
    case CredentialsError::unsupported_algorithm:
      return "unsupported_algorithm";
    case CredentialsError::no_key:
      return "no_key";
    case CredentialsError::no_certificate:
      return "no_certificate";
    case CredentialsError::unreadable_certificate:
      return "unreadable_certificate";
    case CredentialsError::unreadable_key:
      return "unreadable_key";
  }
  return "unknown";
}

std::expected<TerminalCredentials, CredentialsError> open_pkcs12(std::string_view der,
                                                                 std::string_view password) {
  if (der.size() > kMaxCredentialFileBytes) return Unexpected(CredentialsError::too_large);
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  Pkcs12 p12(d2i_PKCS12(nullptr, &p, static_cast<long>(der.size())));
  if (!p12) {
    ERR_clear_error();
    return Unexpected(CredentialsError::not_pkcs12);
  }
  if (password.find('\0') != std::string_view::npos)
    return Unexpected(CredentialsError::wrong_password);
  const std::string pass(password);
  if (auto bad = check_mac(p12.get(), pass)) return Unexpected(*bad);

  EVP_PKEY* raw_key = nullptr;
  X509* raw_cert = nullptr;
  STACK_OF(X509)* raw_others = nullptr;
  bool parsed = PKCS12_parse(p12.get(), pass.c_str(), &raw_key, &raw_cert, &raw_others) == 1;
  if (!parsed) {
    ERR_clear_error();
    if (load_legacy_provider())
      parsed = PKCS12_parse(p12.get(), pass.c_str(), &raw_key, &raw_cert, &raw_others) == 1;
    ERR_clear_error();
  }
  ossl::Pkey key(raw_key);
  ossl::Cert cert(raw_cert);
  ossl::CertStack others(raw_others);
  if (!parsed) {
    // With a MAC the password was right; without one a wrong password only shows here.
    return Unexpected(PKCS12_mac_present(p12.get()) ? CredentialsError::unsupported_algorithm
                                                    : CredentialsError::wrong_password);
  }
  if (!key) return Unexpected(CredentialsError::no_key);
  if (!cert) {
    // PKCS12_parse pairs the certificate with the key (localKeyId or the public key); none
    // matched, so the terminal's certificate is among the others.
    for (int i = 0; others && i < sk_X509_num(others.get()); ++i) {
      if (X509_check_ca(sk_X509_value(others.get(), i)) == 0) {
        cert.reset(X509_dup(sk_X509_value(others.get(), i)));
        break;
      }
    }
    if (!cert) return Unexpected(CredentialsError::no_certificate);
    ossl::CertStack rest(ossl::check(sk_X509_new_null(), "sk_X509_new_null"));
    for (int i = 0; i < sk_X509_num(others.get()); ++i) {
      X509* other = sk_X509_value(others.get(), i);
      if (X509_cmp(other, cert.get()) == 0) continue;
      ossl::check(X509_up_ref(other), "X509_up_ref");
      ossl::check(sk_X509_push(rest.get(), other), "sk_X509_push");
    }
    others = std::move(rest);
  }
  return credentials_of(cert.get(), key.get(), others.get());
}

std::expected<TerminalCredentials, CredentialsError> open_pem(std::string_view cert_file_bytes,
                                                              std::string_view key_file_bytes,
                                                              std::string_view password) {
  if (cert_file_bytes.size() > kMaxCredentialFileBytes ||
      key_file_bytes.size() > kMaxCredentialFileBytes)
    return Unexpected(CredentialsError::too_large);

  ossl::Cert cert;
  ossl::CertStack others(ossl::check(sk_X509_new_null(), "sk_X509_new_null"));
  if (is_pem(cert_file_bytes)) {
    ossl::Bio bio = ossl::mem_bio(cert_file_bytes);
    while (X509* next = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
      if (!cert) {
        cert.reset(next);
      } else if (sk_X509_push(others.get(), next) <= 0) {
        X509_free(next);
        ossl::fail("sk_X509_push");
      }
      // A chain longer than this is no terminal's.
      if (sk_X509_num(others.get()) > 8) break;
    }
    ERR_clear_error();
    if (!cert) {
      return Unexpected(has_block(cert_file_bytes, "CERTIFICATE")
                            ? CredentialsError::unreadable_certificate
                            : CredentialsError::no_certificate);
    }
  } else {
    cert = ossl::cert_from_der(cert_file_bytes);
    if (!cert) return Unexpected(CredentialsError::unreadable_certificate);
  }

  if (!has_block(key_file_bytes, "PRIVATE KEY")) return Unexpected(CredentialsError::no_key);
  ossl::Bio bio = ossl::mem_bio(key_file_bytes);
  PasswordSource source{password};
  ossl::Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, give_password, &source));
  ERR_clear_error();
  if (!key) {
    if (source.asked) {
      return Unexpected(password.empty() ? CredentialsError::password_needed
                                         : CredentialsError::wrong_password);
    }
    return Unexpected(CredentialsError::unreadable_key);
  }
  return credentials_of(cert.get(), key.get(), others.get());
}

std::string certificates_pem(const std::vector<std::string>& der) {
  std::string out;
  for (const std::string& d : der) {
    if (ossl::Cert cert = ossl::cert_from_der(d)) out += ossl::cert_pem(cert.get());
  }
  return out;
}

std::vector<std::string> certificates_der(std::string_view pem) {
  std::vector<std::string> out;
  const ossl::Bio bio = ossl::mem_bio(pem);
  while (out.size() < 32) {
    X509* raw = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    if (raw == nullptr) break;
    const ossl::Cert cert(raw);
    out.push_back(ossl::cert_der(cert.get()));
  }
  ERR_clear_error();
  return out;
}

}  // namespace onshi::pki
