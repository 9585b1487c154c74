// Keys the CA makes for terminals, and their one-time delivery as PKCS#12 (CPIPCS 4.4, 6.1.2).
#include "pki/issuing_ca.hpp"
#include "pki/issuing_ca_impl.hpp"
#include "pki/key_store.hpp"
#include "pki/x509_build.hpp"

#include <openssl/err.h>
#include <openssl/pkcs12.h>

#include <stdexcept>
#include <utility>

namespace onshi::pki {
namespace {

constexpr std::size_t kMinPasswordLength = 8;  // CPIPCS 6.4, in characters
// PBKDF2 rounds for the PKCS#12 encryption and MAC; the file crosses the network once, protected
// by a password a person chose, so rounds are cheap insurance (~20 ms per derivation here).
constexpr int kPkcs12Iterations = 100000;

std::size_t code_points(std::string_view text) {
  std::size_t n = 0;
  for (unsigned char c : text) n += (c & 0xc0) != 0x80 ? 1 : 0;
  return n;
}

std::string common_name(X509* cert) {
  X509_NAME* name = X509_get_subject_name(cert);
  const int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (i < 0) return {};
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                     static_cast<std::size_t>(ASN1_STRING_length(data)));
}

// The sealed key, checked to be the certificate's: a mismatch means a bug or another CA folder.
ossl::Pkey open_key_of(X509* cert, std::string_view sealed_private_key,
                       std::string_view secret_hex) {
  ossl::Pkey key = detail::decrypt_private_key(sealed_private_key, secret_hex);
  if (!key) throw std::runtime_error("the sealed key does not open with this CA's secret");
  if (X509_check_private_key(cert, key.get()) != 1) {
    ERR_clear_error();
    throw std::runtime_error("the sealed key does not belong to the certificate");
  }
  return key;
}

}  // namespace

TerminalKey IssuingCa::generate_terminal_key(KeyAlgorithm algorithm) const {
  ossl::Pkey key = detail::generate_key(algorithm);
  TerminalKey out;
  out.public_key_der = ossl::public_key_der(key.get());
  // The secret is 256 random bits, so a slow key derivation would add nothing.
  out.sealed_private_key =
      detail::encrypt_private_key(key.get(), impl_->terminal_secret_hex, false);
  return out;
}

std::string_view IssuingCa::pkcs12_error_name(Pkcs12Error e) {
  return e == Pkcs12Error::password_short ? "password_short" : "password_bad";
}

std::expected<std::string, IssuingCa::Pkcs12Error> IssuingCa::make_pkcs12(
    std::string_view cert_der, std::string_view sealed_private_key, std::string_view password,
    Pkcs12Format format) const {
  if (code_points(password) < kMinPasswordLength)
    return std::unexpected(Pkcs12Error::password_short);
  if (password.find('\0') != std::string_view::npos)
    return std::unexpected(Pkcs12Error::password_bad);

  ossl::Cert cert = ossl::cert_from_der(cert_der);
  if (!cert) throw std::runtime_error("make_pkcs12: unreadable certificate");
  ossl::Pkey key = open_key_of(cert.get(), sealed_private_key, impl_->terminal_secret_hex);

  // The chain of the CA generation that signed it: after `onshi ca reissue-issuing`, a
  // certificate still waiting for pickup came from the earlier one.
  const std::string aki = authority_key_id_hex(cert_der);
  const CaGeneration* issuer = impl_->find(aki);
  if (issuer == nullptr) issuer = &impl_->current;
  ossl::CertStack chain(ossl::check(sk_X509_new_null(), "sk_X509_new_null"));
  for (const std::string* der : {&issuer->der, &std::as_const(impl_->root_der)}) {
    ossl::Cert ca = ossl::cert_from_der(*der);
    if (!ca) throw std::runtime_error("make_pkcs12: unreadable CA certificate");
    ossl::check(sk_X509_push(chain.get(), ca.get()), "sk_X509_push");
    ca.release();
  }

  const std::string pass(password);
  const std::string name = common_name(cert.get());
  const bool standard = format == Pkcs12Format::standard;
  // AES-256-CBC names PBES2 with PBKDF2-HMAC-SHA256; the compatible file uses the PKCS#12 PBE
  // with 3DES that every Windows since XP reads, at OpenSSL's default iteration count, which old
  // CryptoAPI versions accept.
  const int cipher = standard ? NID_aes_256_cbc : NID_pbe_WithSHA1And3_Key_TripleDES_CBC;
  const int iterations = standard ? kPkcs12Iterations : PKCS12_DEFAULT_ITER;
  // MAC iterations -1: no MAC here, so that PKCS12_set_mac can choose the digest.
  std::unique_ptr<PKCS12, ossl::Deleter<PKCS12_free>> p12(
      PKCS12_create_ex(pass.c_str(), name.c_str(), key.get(), cert.get(), chain.get(), cipher,
                       cipher, iterations, -1, 0, nullptr, nullptr));
  if (!p12) ossl::fail("PKCS12_create_ex");
  ossl::check(PKCS12_set_mac(p12.get(), pass.c_str(), static_cast<int>(pass.size()), nullptr, 0,
                             iterations, standard ? EVP_sha256() : EVP_sha1()),
              "PKCS12_set_mac");
  unsigned char* buf = nullptr;
  const int len = i2d_PKCS12(p12.get(), &buf);
  if (len <= 0) ossl::fail("i2d_PKCS12");
  std::string out(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(len));
  OPENSSL_free(buf);
  return out;
}

}  // namespace onshi::pki

namespace onshi::pki {

std::string IssuingCa::private_key_pkcs8(std::string_view cert_der,
                                         std::string_view sealed_private_key) const {
  ossl::Cert cert = ossl::cert_from_der(cert_der);
  if (!cert) throw std::runtime_error("private_key_pkcs8: unreadable certificate");
  ossl::Pkey key = open_key_of(cert.get(), sealed_private_key, impl_->terminal_secret_hex);
  std::unique_ptr<PKCS8_PRIV_KEY_INFO, ossl::Deleter<PKCS8_PRIV_KEY_INFO_free>> info(
      ossl::check(EVP_PKEY2PKCS8(key.get()), "EVP_PKEY2PKCS8"));
  unsigned char* buf = nullptr;
  const int len = i2d_PKCS8_PRIV_KEY_INFO(info.get(), &buf);
  if (len <= 0) ossl::fail("i2d_PKCS8_PRIV_KEY_INFO");
  std::string out(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(len));
  OPENSSL_cleanse(buf, static_cast<std::size_t>(len));
  OPENSSL_free(buf);
  return out;
}

}  // namespace onshi::pki
