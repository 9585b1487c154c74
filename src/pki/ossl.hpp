#pragma once
// Internal to pki/: RAII handles for OpenSSL objects and small conversions. Only pki .cpp files
// include this header (it pulls in OpenSSL), never a public header.
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace onshi::pki::ossl {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};

using Bio = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509_free>>;
using Req = std::unique_ptr<X509_REQ, Deleter<X509_REQ_free>>;
using Name = std::unique_ptr<X509_NAME, Deleter<X509_NAME_free>>;
using NameEntry = std::unique_ptr<X509_NAME_ENTRY, Deleter<X509_NAME_ENTRY_free>>;
using Extension = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using Integer = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER_free>>;
using Time = std::unique_ptr<ASN1_TIME, Deleter<ASN1_TIME_free>>;
using Object = std::unique_ptr<ASN1_OBJECT, Deleter<ASN1_OBJECT_free>>;
using OctetString = std::unique_ptr<ASN1_OCTET_STRING, Deleter<ASN1_OCTET_STRING_free>>;
using BigNum = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using GeneralName = std::unique_ptr<GENERAL_NAME, Deleter<GENERAL_NAME_free>>;

inline void free_x509_stack(STACK_OF(X509) * s) noexcept {
  sk_X509_pop_free(s, X509_free);
}
using CertStack = std::unique_ptr<STACK_OF(X509), Deleter<free_x509_stack>>;

// Throws std::runtime_error with `what` and the OpenSSL error queue (which it empties). For
// failures that are bugs or broken setups, never for input a user can get wrong.
[[noreturn]] void fail(std::string_view what);
// The OpenSSL error queue as one line, emptied.
std::string take_errors();

template <typename T>
T* check(T* p, std::string_view what) {
  if (p == nullptr) fail(what);
  return p;
}
inline void check(int rc, std::string_view what) {
  if (rc <= 0) fail(what);
}

Bio mem_bio();
Bio mem_bio(std::string_view data);  // read-only view; `data` must outlive the BIO
std::string bio_string(BIO* bio);

std::string cert_der(const X509* cert);
std::string name_der(const X509_NAME* name);
Cert cert_from_der(std::string_view der);  // nullptr if unreadable
Cert cert_from_pem(std::string_view pem);  // nullptr if unreadable
std::string cert_pem(const X509* cert);
std::string pem_to_der_cert(std::string_view pem);  // throws if unreadable

std::string public_key_der(const EVP_PKEY* key);  // SubjectPublicKeyInfo
Pkey public_key_from_der(std::string_view der);   // nullptr if unreadable

// Hex with colons, upper case ("AB:CD:…"), as fingerprints are usually shown.
std::string colon_hex(const unsigned char* data, std::size_t size);
std::string lower_hex(const unsigned char* data, std::size_t size);
std::string sha256_colon_fingerprint(std::string_view der);

// Time conversions; ASN1_TIME_set picks UTCTime before 2050 and GeneralizedTime after (RFC 5280).
Time asn1_time(std::chrono::system_clock::time_point t);
std::chrono::system_clock::time_point to_time_point(const ASN1_TIME* t);
std::string iso_utc(std::chrono::system_clock::time_point t);  // 2025-01-02T03:04:05Z

// "ECDSA P-256", "RSA 2048", …
std::string describe_key(const EVP_PKEY* key);
// The digest the CPS pairs with a signing key: SHA-384 for P-384, SHA-256 otherwise.
const EVP_MD* digest_for(const EVP_PKEY* key);

std::string serial_hex(const X509* cert);  // lower-case, no leading zeros beyond one byte
std::string rfc2253(const X509_NAME* name);

// Writes `data` to `path` through a temporary file and a rename, with `mode` from the start so a
// secret is never readable by others, not even briefly.
void write_file_atomic(const std::string& path, std::string_view data, unsigned mode);
std::string read_file(const std::string& path);  // throws when missing

}  // namespace onshi::pki::ossl
