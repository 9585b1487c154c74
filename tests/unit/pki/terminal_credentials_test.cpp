// Opening what a terminal holds (pki/terminal_credentials.hpp): the pickup's PKCS#12 in both
// formats, files the openssl CLI writes (RC2-40 with -legacy, no key, no certificate, an empty
// password), and PEM pairs, matched, mismatched and encrypted.
#include "pki/terminal_credentials.hpp"

#include <gtest/gtest.h>

#include <set>

#include "pki/serial.hpp"
#include "pki_test_support.hpp"
#include "support/error_of.hpp"

namespace {

using onshi::test::error_of;
using namespace onshi::pki;
using namespace onshi::pki::test;

constexpr const char* kPassword = "pickup-pass-123";

class TerminalCredentialsTest : public SuiteCaTest<TerminalCredentialsTest> {
 protected:
  static void SetUpTestSuite() {
    open_suite_ca();
    key_ = std::make_unique<TerminalKey>(ca_->generate_terminal_key(KeyAlgorithm::ec_p256));
    cert_ = std::make_unique<IssuedCertificate>(ca_->issue(sample_subject(), key_->public_key_der,
                                                           sample_profile(), random_serial_hex(),
                                                           day(2025, 4, 1)));
    auto p12 = ca_->make_pkcs12(cert_->der, key_->sealed_private_key, kPassword);
    ASSERT_TRUE(p12);
    write_text(dir_->path() / "t.p12", *p12);
    // PEM files of the same certificate and key, by the openssl CLI.
    const std::string in = " -passin pass:" + std::string(kPassword) + " -in " + path("t.p12");
    ASSERT_EQ(run("openssl pkcs12 -nocerts -nodes" + in + " -out " + path("t.key")).status, 0);
    ASSERT_EQ(run("openssl pkcs12 -clcerts -nokeys" + in + " -out " + path("t.crt")).status, 0);
    ASSERT_EQ(run("openssl pkcs12 -cacerts -nokeys" + in + " -out " + path("ca.crt")).status, 0);
  }
  static void TearDownTestSuite() {
    key_.reset();
    cert_.reset();
    SuiteCaTest::TearDownTestSuite();
  }
  static std::string path(const std::string& name) { return (dir_->path() / name).string(); }
  static std::string file(const std::string& name) { return read_text(dir_->path() / name); }

  inline static std::unique_ptr<TerminalKey> key_;
  inline static std::unique_ptr<IssuedCertificate> cert_;
};

TEST_F(TerminalCredentialsTest, ThePickupFileOpensWithItsPassword) {
  const auto c = open_pkcs12(file("t.p12"), kPassword);
  ASSERT_TRUE(c) << credentials_error_name(error_of(c));
  EXPECT_EQ(c->cert_der, cert_->der);
  EXPECT_TRUE(c->key_matches);
  EXPECT_EQ(c->key_description, "ECDSA P-256");
  EXPECT_EQ(c->friendly_name, "1310123455-T01");
  ASSERT_EQ(c->chain_der.size(), 2u);
  EXPECT_EQ(c->chain_der[0], ca_->issuing_der());
  EXPECT_EQ(c->chain_der[1], ca_->root_der());
  EXPECT_TRUE(c->key_pem.starts_with("-----BEGIN PRIVATE KEY-----")) << "unencrypted PKCS#8";
  EXPECT_TRUE(c->cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
}

TEST_F(TerminalCredentialsTest, AWrongPasswordIsSaidAsSuchInBothFormats) {
  for (auto format : {IssuingCa::Pkcs12Format::standard, IssuingCa::Pkcs12Format::compatible}) {
    auto p12 = ca_->make_pkcs12(cert_->der, key_->sealed_private_key, kPassword, format);
    ASSERT_TRUE(p12);
    EXPECT_EQ(error_of(open_pkcs12(*p12, "pickup-pass-124")), CredentialsError::wrong_password);
    EXPECT_EQ(error_of(open_pkcs12(*p12, "")), CredentialsError::wrong_password);
    EXPECT_EQ(error_of(open_pkcs12(*p12, std::string("pickup-pass-123\0x", 17))),
              CredentialsError::wrong_password);
  }
}

TEST_F(TerminalCredentialsTest, TheCompatible3desFileOpens) {
  auto p12 = ca_->make_pkcs12(cert_->der, key_->sealed_private_key, "パスワード１２３４",
                              IssuingCa::Pkcs12Format::compatible);
  ASSERT_TRUE(p12);
  const auto c = open_pkcs12(*p12, "パスワード１２３４");
  ASSERT_TRUE(c) << credentials_error_name(error_of(c));
  EXPECT_EQ(c->cert_der, cert_->der);
  EXPECT_TRUE(c->key_matches);
  EXPECT_EQ(c->chain_der.size(), 2u);
}

// `openssl pkcs12 -export -legacy` encrypts the certificates with RC2-40, which OpenSSL 3 has
// only in its legacy provider: the file opens all the same.
TEST_F(TerminalCredentialsTest, AnRc2LegacyFileFromOpensslOpens) {
  const auto made = run("openssl pkcs12 -export -legacy -in " + path("t.crt") + " -inkey " +
                        path("t.key") + " -certfile " + path("ca.crt") +
                        " -passout pass:legacy-pass-1 -out " + path("legacy.p12"));
  ASSERT_EQ(made.status, 0) << made.output;
  const auto info = run("openssl pkcs12 -legacy -info -nokeys -passin pass:legacy-pass-1 -in " +
                        path("legacy.p12"));
  ASSERT_NE(info.output.find("pbeWithSHA1And40BitRC2-CBC"), std::string::npos) << info.output;
  const auto c = open_pkcs12(file("legacy.p12"), "legacy-pass-1");
  ASSERT_TRUE(c) << credentials_error_name(error_of(c));
  EXPECT_EQ(c->cert_der, cert_->der);
  EXPECT_TRUE(c->key_matches);
  EXPECT_EQ(c->chain_der.size(), 2u);
  EXPECT_EQ(error_of(open_pkcs12(file("legacy.p12"), "legacy-pass-2")),
            CredentialsError::wrong_password);
}

TEST_F(TerminalCredentialsTest, AnEmptyPasswordOpensAFileMadeWithOne) {
  ASSERT_EQ(run("openssl pkcs12 -export -in " + path("t.crt") + " -inkey " + path("t.key") +
                " -passout pass: -out " + path("empty.p12"))
                .status,
            0);
  const auto c = open_pkcs12(file("empty.p12"), "");
  ASSERT_TRUE(c) << credentials_error_name(error_of(c));
  EXPECT_TRUE(c->key_matches);
  EXPECT_TRUE(c->chain_der.empty());
  EXPECT_EQ(error_of(open_pkcs12(file("empty.p12"), "x")), CredentialsError::wrong_password);
}

TEST_F(TerminalCredentialsTest, FilesWithoutAKeyOrACertificateAreSaidSo) {
  ASSERT_EQ(run("openssl pkcs12 -export -nokeys -in " + path("t.crt") +
                " -passout pass:nokey-pass-1 -out " + path("nokey.p12"))
                .status,
            0);
  EXPECT_EQ(error_of(open_pkcs12(file("nokey.p12"), "nokey-pass-1")), CredentialsError::no_key);
  ASSERT_EQ(run("openssl pkcs12 -export -nocerts -inkey " + path("t.key") +
                " -passout pass:nocert-pass-1 -out " + path("nocert.p12"))
                .status,
            0);
  EXPECT_EQ(error_of(open_pkcs12(file("nocert.p12"), "nocert-pass-1")),
            CredentialsError::no_certificate);
}

TEST_F(TerminalCredentialsTest, BytesThatAreNoPkcs12AreRefusedBeforeAnyPassword) {
  EXPECT_EQ(error_of(open_pkcs12(file("t.crt"), kPassword)), CredentialsError::not_pkcs12);
  EXPECT_EQ(error_of(open_pkcs12("", kPassword)), CredentialsError::not_pkcs12);
  EXPECT_EQ(error_of(open_pkcs12(cert_->der, kPassword)), CredentialsError::not_pkcs12);
  const std::string big(kMaxCredentialFileBytes + 1, '\x30');
  EXPECT_EQ(error_of(open_pkcs12(big, kPassword)), CredentialsError::too_large);
  EXPECT_EQ(error_of(open_pem(big, file("t.key"))), CredentialsError::too_large);
}

TEST_F(TerminalCredentialsTest, APemPairOpensWithItsChain) {
  const auto c = open_pem(file("t.crt") + file("ca.crt"), file("t.key"));
  ASSERT_TRUE(c) << credentials_error_name(error_of(c));
  EXPECT_EQ(c->cert_der, cert_->der);
  EXPECT_TRUE(c->key_matches);
  EXPECT_EQ(c->chain_der.size(), 2u);
  // One DER certificate works as well.
  const auto der = open_pem(cert_->der, file("t.key"));
  ASSERT_TRUE(der) << credentials_error_name(error_of(der));
  EXPECT_TRUE(der->key_matches);
  EXPECT_TRUE(der->chain_der.empty());
  EXPECT_EQ(certificates_pem({cert_->der}), c->cert_pem);
}

TEST_F(TerminalCredentialsTest, AKeyOfAnotherCertificateOpensButDoesNotMatch) {
  ASSERT_EQ(run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
                path("other.key"))
                .status,
            0);
  const auto c = open_pem(file("t.crt"), file("other.key"));
  ASSERT_TRUE(c) << credentials_error_name(error_of(c));
  EXPECT_FALSE(c->key_matches);
  EXPECT_EQ(c->cert_der, cert_->der);
}

TEST_F(TerminalCredentialsTest, AnEncryptedKeyNeedsItsPassword) {
  ASSERT_EQ(run("openssl pkey -in " + path("t.key") + " -aes256 -passout pass:key-pass-123 -out " +
                path("enc.key"))
                .status,
            0);
  ASSERT_NE(file("enc.key").find("ENCRYPTED"), std::string::npos);
  EXPECT_EQ(error_of(open_pem(file("t.crt"), file("enc.key"))), CredentialsError::password_needed);
  EXPECT_EQ(error_of(open_pem(file("t.crt"), file("enc.key"), "key-pass-124")),
            CredentialsError::wrong_password);
  const auto c = open_pem(file("t.crt"), file("enc.key"), "key-pass-123");
  ASSERT_TRUE(c) << credentials_error_name(error_of(c));
  EXPECT_TRUE(c->key_matches);
}

TEST_F(TerminalCredentialsTest, SwappedOrBrokenPemFilesAreSaidSo) {
  EXPECT_EQ(error_of(open_pem(file("t.key"), file("t.key"))), CredentialsError::no_certificate);
  EXPECT_EQ(error_of(open_pem(file("t.crt"), file("t.crt"))), CredentialsError::no_key);
  EXPECT_EQ(error_of(open_pem("not a certificate", file("t.key"))),
            CredentialsError::unreadable_certificate);
  EXPECT_EQ(error_of(open_pem(file("t.crt"),
                              "-----BEGIN PRIVATE KEY-----\nAAAA\n"
                              "-----END PRIVATE KEY-----\n")),
            CredentialsError::unreadable_key);
  // One file holding both, as some tools write them, serves as both.
  const auto both = open_pem(file("t.key") + file("t.crt"), file("t.key") + file("t.crt"));
  ASSERT_TRUE(both) << credentials_error_name(error_of(both));
  EXPECT_TRUE(both->key_matches);
}

TEST(CredentialsErrors, EveryErrorHasItsOwnName) {
  std::set<std::string_view> names;
  for (auto e : kCredentialsErrors) {
    EXPECT_NE(credentials_error_name(e), "unknown");
    EXPECT_TRUE(names.insert(credentials_error_name(e)).second) << credentials_error_name(e);
  }
}

}  // namespace
