#pragma once
// Helpers for the pki unit tests: temporary folders, running the openssl CLI, and making keys,
// CSRs and certificates with OpenSSL directly so the tests do not trust the code under test.
#include "pki/authority.hpp"
#include "pki/issuing_ca.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

namespace onshi::pki::test {

namespace fs = std::filesystem;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "onshi-pki-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

inline std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_text(const fs::path& p, std::string_view data) {
  std::ofstream out(p, std::ios::binary);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

struct CommandResult {
  int status = -1;
  std::string output;  // stdout and stderr
};

inline CommandResult run(const std::string& command) {
  CommandResult r;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
  const int raw = pclose(pipe);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return r;
}

inline unsigned file_mode(const fs::path& p) {
  struct stat st {};
  if (stat(p.c_str(), &st) != 0) return 0;
  return st.st_mode & 0777;
}

inline Pkey ec_key(const char* curve) {
  return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
}

inline Pkey rsa_key(unsigned bits, unsigned long exponent = 65537) {
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr), EVP_PKEY_CTX_free);
  EVP_PKEY_keygen_init(ctx.get());
  EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), static_cast<int>(bits));
  BIGNUM* e = BN_new();
  BN_set_word(e, exponent);
  EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx.get(), e);
  BN_free(e);
  EVP_PKEY* key = nullptr;
  EVP_PKEY_keygen(ctx.get(), &key);
  return Pkey(key);
}

inline std::string spki_der(EVP_PKEY* key) {
  unsigned char* buf = nullptr;
  const int len = i2d_PUBKEY(key, &buf);
  std::string out(reinterpret_cast<char*>(buf), static_cast<std::size_t>(len));
  OPENSSL_free(buf);
  return out;
}

// A PKCS#10 request signed by `key`; with `tamper` one byte of the signature is flipped.
// The DER of a PEM certificate request (the form check_csr reads after its PEM armour).
inline std::string der_of(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509_REQ* req = PEM_read_bio_X509_REQ(bio, nullptr, nullptr, nullptr);
  unsigned char* buf = nullptr;
  const int len = i2d_X509_REQ(req, &buf);
  std::string out(reinterpret_cast<char*>(buf), static_cast<std::size_t>(len));
  OPENSSL_free(buf);
  X509_REQ_free(req);
  BIO_free(bio);
  return out;
}

inline std::string make_csr_pem(EVP_PKEY* key, bool tamper = false,
                                const EVP_MD* md = EVP_sha256()) {
  X509_REQ* req = X509_REQ_new();
  X509_REQ_set_version(req, 0);
  X509_NAME* name = X509_REQ_get_subject_name(req);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("terminal"), -1, -1, 0);
  X509_REQ_set_pubkey(req, key);
  X509_REQ_sign(req, key, md);
  if (tamper) {
    const ASN1_BIT_STRING* sig = nullptr;
    X509_REQ_get0_signature(req, &sig, nullptr);
    auto* data = const_cast<unsigned char*>(ASN1_STRING_get0_data(sig));
    data[ASN1_STRING_length(sig) / 2] ^= 0x01;
    // The cached DER encoding would otherwise still carry the good signature.
    X509_REQ_set_version(req, 0);
  }
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509_REQ(bio, req);
  BUF_MEM* mem = nullptr;
  BIO_get_mem_ptr(bio, &mem);
  std::string out(mem->data, mem->length);
  BIO_free(bio);
  X509_REQ_free(req);
  return out;
}

inline Cert parse_der(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  return Cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

inline std::string utc_text(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

// 2025-04-01 09:30:15 UTC plus `days`.
inline std::chrono::system_clock::time_point day(int y, unsigned m, unsigned d, int hh = 9,
                                                 int mm = 30, int ss = 15) {
  using namespace std::chrono;
  return sys_days{year{y} / month{m} / std::chrono::day{d}} + hours{hh} + minutes{mm} + seconds{ss};
}

inline KeyStoreConfig file_store(const fs::path& dir) {
  KeyStoreConfig cfg;
  cfg.kind = "file";
  cfg.dir = dir;
  cfg.passphrase = "correct horse battery staple 2025";
  return cfg;
}

inline TerminalSubject sample_subject() {
  return TerminalSubject{"1310123455", "医療法人社団　オンライン医院", "T01", "C-00000123-01"};
}

inline TerminalProfile sample_profile() {
  TerminalProfile p;
  p.crl_url = "https://onshi.example.jp/pki/crl/issuing.crl";
  p.delta_crl_url = "https://onshi.example.jp/pki/crl/issuing-delta.crl";
  p.ocsp_url = "https://onshi.example.jp/pki/ocsp";
  p.ca_issuers_url = "https://onshi.example.jp/pki/ca/issuing.crt";
  return p;
}

// `openssl verify` of a terminal certificate against the CA folder, as a relying party would.
inline CommandResult openssl_verify(const fs::path& ca_dir, const std::string& cert_pem,
                                    std::chrono::system_clock::time_point at) {
  const fs::path file = ca_dir / "terminal-under-test.pem";
  write_text(file, cert_pem);
  const auto secs = std::chrono::system_clock::to_time_t(at);
  auto r = run("openssl verify -x509_strict -purpose sslclient -attime " + std::to_string(secs) +
               " -CAfile " + (ca_dir / "root.crt").string() + " -untrusted " +
               (ca_dir / "issuing.crt").string() + " " + file.string());
  fs::remove(file);
  return r;
}

// A CA made once for a whole test suite (its keys take a while), in a folder of its own: each
// suite `Suite` (CRTP) has its own, made by open_suite_ca in its SetUpTestSuite.
template <class Suite>
class SuiteCaTest : public ::testing::Test {
 protected:
  static void open_suite_ca(const CaSettings& settings = {}) {
    dir_ = std::make_unique<TempDir>();
    init_ca(file_store(dir_->path()), settings, day(2025, 1, 10));
    ca_ = IssuingCa::open(file_store(dir_->path()));
  }
  static void TearDownTestSuite() {
    ca_.reset();
    dir_.reset();
  }
  inline static std::unique_ptr<TempDir> dir_;
  inline static std::unique_ptr<IssuingCa> ca_;
};

}  // namespace onshi::pki::test
