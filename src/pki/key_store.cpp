#include "pki/key_store.hpp"

#include "pki/x509_build.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>

#include <filesystem>
#include <stdexcept>

namespace onshi::pki::detail {
namespace {

struct Passphrase {
  std::string_view text;
};

int passphrase_cb(char* buf, int size, int /*rwflag*/, void* u) {
  const auto* p = static_cast<const Passphrase*>(u);
  if (p->text.size() > static_cast<std::size_t>(size)) return -1;
  std::copy(p->text.begin(), p->text.end(), buf);
  return static_cast<int>(p->text.size());
}

}  // namespace

std::string encrypt_private_key(EVP_PKEY* key, std::string_view passphrase, bool strong_kdf) {
  std::unique_ptr<PKCS8_PRIV_KEY_INFO, ossl::Deleter<PKCS8_PRIV_KEY_INFO_free>> p8(
      ossl::check(EVP_PKEY2PKCS8(key), "EVP_PKEY2PKCS8"));
  // scrypt N=2^14, r=8, p=1 is the `openssl pkcs8 -scrypt` default: ~16 MB and 50 ms per try.
  X509_ALGOR* pbe =
      strong_kdf
          ? PKCS5_pbe2_set_scrypt(EVP_aes_256_cbc(), nullptr, 0, nullptr, 16384, 8, 1)
          : PKCS5_pbe2_set_iv(EVP_aes_256_cbc(), 2048, nullptr, 0, nullptr, NID_hmacWithSHA256);
  ossl::check(pbe, "PKCS5_pbe2_set");
  X509_SIG* raw =
      PKCS8_set0_pbe(passphrase.data(), static_cast<int>(passphrase.size()), p8.get(), pbe);
  if (raw == nullptr) {
    X509_ALGOR_free(pbe);
    ossl::fail("PKCS8_set0_pbe");
  }
  std::unique_ptr<X509_SIG, ossl::Deleter<X509_SIG_free>> sig(raw);
  ossl::Bio bio = ossl::mem_bio();
  ossl::check(PEM_write_bio_PKCS8(bio.get(), sig.get()), "PEM_write_bio_PKCS8");
  return ossl::bio_string(bio.get());
}

ossl::Pkey decrypt_private_key(std::string_view pem, std::string_view passphrase) {
  ossl::Bio bio = ossl::mem_bio(pem);
  Passphrase p{passphrase};
  ossl::Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, passphrase_cb, &p));
  if (!key) ERR_clear_error();
  return key;
}

void check_key_store(const KeyStoreConfig& cfg) {
  if (cfg.kind == "file") {
    if (cfg.passphrase.empty()) throw std::runtime_error("the CA key passphrase is empty");
  } else if (cfg.kind != "pkcs11") {
    throw std::runtime_error("unknown key store kind: " + cfg.kind);
  }
  if (cfg.dir.empty()) throw std::runtime_error("the CA folder is not set");
}

NewCaKey create_ca_key(const KeyStoreConfig& cfg, const std::string& token_label,
                       KeyAlgorithm algorithm) {
  check_key_store(cfg);
  NewCaKey out;
  if (cfg.kind == "file") {
    out.signing = generate_key(algorithm);
    EVP_PKEY_up_ref(out.signing.get());
    out.public_key.reset(out.signing.get());
    out.encrypted_pem = encrypt_private_key(out.signing.get(), cfg.passphrase, true);
    return out;
  }
  out.public_key = token_generate_key_pair(cfg, token_label, algorithm);
  out.signing = token_private_key(cfg, key_identifier(out.public_key.get()));
  return out;
}

ossl::Pkey load_ca_key(const KeyStoreConfig& cfg, const std::string& file_name, const X509* cert) {
  check_key_store(cfg);
  ossl::Pkey key;
  if (cfg.kind == "file") {
    const auto path = (cfg.dir / file_name).string();
    if (!std::filesystem::exists(path)) throw std::runtime_error("CA key missing: " + path);
    key = decrypt_private_key(ossl::read_file(path), cfg.passphrase);
    if (!key) {
      throw std::runtime_error("cannot decrypt " + path + ": wrong passphrase or damaged file");
    }
  } else {
    key = token_private_key(cfg, key_identifier(X509_get0_pubkey(cert)));
  }
  if (X509_check_private_key(cert, key.get()) != 1) {
    ERR_clear_error();
    throw std::runtime_error("the CA key " + file_name + " does not match its certificate");
  }
  return key;
}

}  // namespace onshi::pki::detail
