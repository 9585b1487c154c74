// The "pkcs11" key store with SoftHSM2: keys made in the token, signing through the libp11 engine.
#include "pki/serial.hpp"
#include "pki_test_support.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace {

using namespace onshi::pki;
using namespace onshi::pki::test;

constexpr const char* kModule = "/usr/lib/softhsm/libsofthsm2.so";

// One token per process: SoftHSM reads SOFTHSM2_CONF once, at its first C_Initialize. A child
// process (for the wrong-PIN test) reuses the parent's token through ONSHI_TEST_SOFTHSM_DIR.
class Pkcs11Test : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (const char* inherited = std::getenv("ONSHI_TEST_SOFTHSM_DIR")) {
      root_ = inherited;
      return;
    }
    dir_ = std::make_unique<TempDir>();
    root_ = dir_->path();
    fs::create_directories(root_ / "tokens");
    write_text(root_ / "softhsm2.conf", "directories.tokendir = " + (root_ / "tokens").string() +
                                            "\nobjectstore.backend = file\nlog.level = ERROR\n");
    setenv("SOFTHSM2_CONF", (root_ / "softhsm2.conf").c_str(), 1);
    const auto r =
        run("softhsm2-util --init-token --free --label onshi-ca --pin 1234 --so-pin 5678");
    ASSERT_EQ(r.status, 0) << r.output;
  }
  static void TearDownTestSuite() { dir_.reset(); }
  static KeyStoreConfig token_store(const fs::path& ca_dir) {
    KeyStoreConfig cfg;
    cfg.kind = "pkcs11";
    cfg.dir = ca_dir;
    cfg.pkcs11_module = kModule;
    cfg.pkcs11_token_label = "onshi-ca";
    cfg.pkcs11_pin = "1234";
    return cfg;
  }
  static std::string list_objects() {
    return run(std::string("pkcs11-tool --module ") + kModule +
               " --token-label onshi-ca --login --pin 1234 --list-objects")
        .output;
  }
  inline static std::unique_ptr<TempDir> dir_;
  static fs::path root_;
};
fs::path Pkcs11Test::root_;

TEST_F(Pkcs11Test, InitOpenIssueAndVerify) {
  const fs::path ca_dir = root_ / "ca-main";
  const auto cfg = token_store(ca_dir);
  CaSettings s;
  s.root_crl_url = "https://onshi.example.jp/pki/crl/root.crl";
  const CaDescription d = init_ca(cfg, s, day(2025, 1, 10));
  EXPECT_EQ(d.key_store, "pkcs11");
  EXPECT_EQ(d.root.key_algorithm, "ECDSA P-384");
  EXPECT_EQ(d.issuing.key_algorithm, "ECDSA P-256");

  // No private key in any file of the CA folder.
  for (const auto& entry : fs::directory_iterator(ca_dir)) {
    const std::string name = entry.path().filename().string();
    EXPECT_FALSE(name.ends_with(".key")) << name;
    EXPECT_EQ(read_text(entry.path()).find("PRIVATE KEY"), std::string::npos) << name;
  }
  EXPECT_EQ(file_mode(ca_dir / "terminal-keys.secret"), 0600u);

  // The keys are in the token under their labels, and cannot leave it.
  const std::string objects = list_objects();
  EXPECT_NE(objects.find("label:      onshi-root"), std::string::npos) << objects;
  EXPECT_NE(objects.find("label:      onshi-issuing"), std::string::npos) << objects;
  EXPECT_NE(objects.find("never extractable"), std::string::npos) << objects;
  EXPECT_EQ(objects.find("decrypt"), std::string::npos) << "CA keys only sign: " << objects;

  auto ca = IssuingCa::open(cfg);
  const auto issued = ca->issue(sample_subject(), spki_der(ec_key("P-256").get()), sample_profile(),
                                random_serial_hex(), day(2025, 4, 1));
  const auto r = openssl_verify(ca_dir, issued.pem, day(2025, 4, 2));
  EXPECT_EQ(r.status, 0) << r.output;

  // Generated terminal keys and PKCS#12 work the same with a token CA.
  const TerminalKey key = ca->generate_terminal_key(KeyAlgorithm::ec_p256);
  const auto gen = ca->issue(sample_subject(), key.public_key_der, sample_profile(),
                             random_serial_hex(), day(2025, 4, 1));
  EXPECT_TRUE(ca->make_pkcs12(gen.der, key.sealed_private_key, "pickup-pass-123"));
}

TEST_F(Pkcs11Test, RsaKeysInTheToken) {
  const fs::path ca_dir = root_ / "ca-rsa";
  const auto cfg = token_store(ca_dir);
  CaSettings s;
  s.root_algorithm = KeyAlgorithm::rsa_3072;
  s.issuing_algorithm = KeyAlgorithm::rsa_2048;
  const CaDescription d = init_ca(cfg, s, day(2025, 1, 10));
  EXPECT_EQ(d.issuing.key_algorithm, "RSA 2048");
  auto ca = IssuingCa::open(cfg);
  const auto issued = ca->issue(sample_subject(), spki_der(ec_key("P-256").get()), sample_profile(),
                                random_serial_hex(), day(2025, 4, 1));
  EXPECT_EQ(openssl_verify(ca_dir, issued.pem, day(2025, 4, 2)).status, 0);
}

TEST_F(Pkcs11Test, ReissueMakesANewTokenKey) {
  const fs::path ca_dir = root_ / "ca-reissue";
  const auto cfg = token_store(ca_dir);
  const CaDescription first = init_ca(cfg, CaSettings{}, day(2025, 1, 10));
  {
    auto ca = IssuingCa::open(cfg);  // the engine now holds the token open, as in a server
    (void)ca;
  }
  CaSettings s;
  s.issuing_subject = "C=JP, O=onshi, CN=onshi Issuing CA G2";
  const CaDescription second = reissue_issuing_ca(cfg, s, day(2030, 1, 10));
  EXPECT_NE(second.issuing.serial_hex, first.issuing.serial_hex);
  EXPECT_TRUE(fs::exists(ca_dir / ("issuing-" + first.issuing.serial_hex + ".crt")));
  EXPECT_NE(list_objects().find("onshi-issuing-g2"), std::string::npos);
  auto ca = IssuingCa::open(cfg);
  const auto issued = ca->issue(sample_subject(), spki_der(ec_key("P-256").get()), sample_profile(),
                                random_serial_hex(), day(2030, 2, 1));
  EXPECT_EQ(openssl_verify(ca_dir, issued.pem, day(2030, 2, 2)).status, 0);
  EXPECT_NE(issued.subject.find("1310123455-T01"), std::string::npos);
  EXPECT_NE(describe_ca(cfg).issuing.subject.find("G2"), std::string::npos);
}

// Run in a child process: once a process has logged in to the token, PKCS#11 keeps it logged in
// and a later wrong PIN would not be asked for at all.
TEST_F(Pkcs11Test, WrongPinFailsToOpen) {
  if (const char* ca_dir = std::getenv("ONSHI_TEST_WRONG_PIN_CA")) {
    auto cfg = token_store(ca_dir);
    cfg.pkcs11_pin = "9999";
    EXPECT_THROW(IssuingCa::open(cfg), std::runtime_error);
    cfg.pkcs11_pin = "1234";
    cfg.pkcs11_token_label = "no-such-token";
    EXPECT_THROW(IssuingCa::open(cfg), std::runtime_error);
    return;
  }
  const fs::path ca_dir = root_ / "ca-pin";
  init_ca(token_store(ca_dir), CaSettings{}, day(2025, 1, 10));
  const auto r = run(
      "ONSHI_TEST_SOFTHSM_DIR=" + root_.string() + " ONSHI_TEST_WRONG_PIN_CA=" + ca_dir.string() +
      " /proc/" + std::to_string(getpid()) + "/exe --gtest_filter=Pkcs11Test.WrongPinFailsToOpen");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("[  PASSED  ] 1 test"), std::string::npos) << r.output;
}

}  // namespace
