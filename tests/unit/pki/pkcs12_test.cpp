// PKCS#12 for pickup of keys the CA generated (CPIPCS 4.4, 6.1.2).
#include "pki/serial.hpp"
#include "pki_test_support.hpp"

#include <gtest/gtest.h>

#include <openssl/pkcs12.h>
#include "support/error_of.hpp"

namespace {

using onshi::test::error_of;

using namespace onshi::pki;
using namespace onshi::pki::test;

class Pkcs12Test : public SuiteCaTest<Pkcs12Test> {
 protected:
  static void SetUpTestSuite() { open_suite_ca(); }
  struct Issued {
    TerminalKey key;
    IssuedCertificate cert;
  };
  static Issued issue_generated(KeyAlgorithm alg = KeyAlgorithm::ec_p256) {
    TerminalKey key = ca_->generate_terminal_key(alg);
    IssuedCertificate cert = ca_->issue(sample_subject(), key.public_key_der, sample_profile(),
                                        random_serial_hex(), day(2025, 4, 1));
    return {std::move(key), std::move(cert)};
  }
};

TEST_F(Pkcs12Test, OpensslReadsItWithThePasswordOnly) {
  const Issued t = issue_generated();
  auto p12 = ca_->make_pkcs12(t.cert.der, t.key.sealed_private_key, "pickup-pass-123");
  ASSERT_TRUE(p12) << IssuingCa::pkcs12_error_name(error_of(p12));
  const fs::path file = dir_->path() / "t.p12";
  write_text(file, *p12);
  const auto ok =
      run("openssl pkcs12 -info -nokeys -passin pass:pickup-pass-123 -in " + file.string());
  EXPECT_EQ(ok.status, 0) << ok.output;
  EXPECT_NE(ok.output.find("AES-256-CBC"), std::string::npos) << ok.output;
  EXPECT_NE(ok.output.find("PBKDF2"), std::string::npos) << ok.output;
  EXPECT_NE(ok.output.find("MAC: sha256"), std::string::npos) << ok.output;
  EXPECT_NE(ok.output.find("friendlyName: 1310123455-T01"), std::string::npos) << ok.output;
  EXPECT_NE(ok.output.find("onshi Issuing CA G1"), std::string::npos);
  EXPECT_NE(ok.output.find("onshi Root CA G1"), std::string::npos);
  const auto wrong =
      run("openssl pkcs12 -info -nokeys -passin pass:wrong-pass-123 -in " + file.string());
  EXPECT_NE(wrong.status, 0);
}

TEST_F(Pkcs12Test, KeyMatchesTheCertificateAndChainIsIssuingThenRoot) {
  for (KeyAlgorithm alg : {KeyAlgorithm::ec_p256, KeyAlgorithm::rsa_2048}) {
    const Issued t = issue_generated(alg);
    auto p12 = ca_->make_pkcs12(t.cert.der, t.key.sealed_private_key, "パスワード１２３４");
    ASSERT_TRUE(p12) << IssuingCa::pkcs12_error_name(error_of(p12));
    const auto* p = reinterpret_cast<const unsigned char*>(p12->data());
    PKCS12* parsed = d2i_PKCS12(nullptr, &p, static_cast<long>(p12->size()));
    ASSERT_NE(parsed, nullptr);
    EVP_PKEY* key = nullptr;
    X509* cert = nullptr;
    STACK_OF(X509)* chain = nullptr;
    EXPECT_EQ(PKCS12_parse(parsed, "wrong", &key, &cert, &chain), 0);
    ASSERT_EQ(PKCS12_parse(parsed, "パスワード１２３４", &key, &cert, &chain), 1);
    EXPECT_EQ(X509_check_private_key(cert, key), 1);
    EXPECT_EQ(spki_der(key), t.key.public_key_der);
    ASSERT_EQ(sk_X509_num(chain), 2);
    EXPECT_EQ(X509_check_issued(sk_X509_value(chain, 0), cert), X509_V_OK);
    EXPECT_EQ(X509_check_issued(sk_X509_value(chain, 1), sk_X509_value(chain, 0)), X509_V_OK);
    EVP_PKEY_free(key);
    X509_free(cert);
    sk_X509_pop_free(chain, X509_free);
    PKCS12_free(parsed);
  }
}

TEST_F(Pkcs12Test, TheCompatibleFileIs3desWithASha1Mac) {
  const Issued t = issue_generated(KeyAlgorithm::rsa_2048);
  auto p12 = ca_->make_pkcs12(t.cert.der, t.key.sealed_private_key, "pickup-pass-123",
                              IssuingCa::Pkcs12Format::compatible);
  ASSERT_TRUE(p12) << IssuingCa::pkcs12_error_name(error_of(p12));
  const fs::path file = dir_->path() / "compat.p12";
  write_text(file, *p12);
  // -legacy as an older OpenSSL or Windows Server 2016 would need nothing more.
  const auto info =
      run("openssl pkcs12 -legacy -info -nokeys -passin pass:pickup-pass-123 -in " + file.string());
  ASSERT_EQ(info.status, 0) << info.output;
  EXPECT_NE(info.output.find("pbeWithSHA1And3-KeyTripleDES-CBC"), std::string::npos) << info.output;
  EXPECT_EQ(info.output.find("PBES2"), std::string::npos) << info.output;
  EXPECT_NE(info.output.find("MAC: sha1"), std::string::npos) << info.output;
  EXPECT_NE(info.output.find("friendlyName: 1310123455-T01"), std::string::npos) << info.output;
  // The key inside is the certificate's.
  const auto key = run("openssl pkcs12 -legacy -nocerts -nodes -passin pass:pickup-pass-123 -in " +
                       file.string() + " | openssl pkey -pubout -outform DER | openssl sha256");
  const auto pub = dir_->path() / "compat-pub.der";
  write_text(pub, t.key.public_key_der);
  const auto expected = run("openssl sha256 < " + pub.string());
  ASSERT_EQ(key.status, 0) << key.output;
  EXPECT_EQ(key.output.substr(key.output.find('=')),
            expected.output.substr(expected.output.find('=')));
}

// Java's keytool (Debian's OpenJDK 17) reads both files as a key entry with its chain of three.
TEST_F(Pkcs12Test, JavaKeytoolReadsBothFormats) {
  const Issued t = issue_generated();
  for (auto format : {IssuingCa::Pkcs12Format::standard, IssuingCa::Pkcs12Format::compatible}) {
    auto p12 = ca_->make_pkcs12(t.cert.der, t.key.sealed_private_key, "pickup-pass-123", format);
    ASSERT_TRUE(p12);
    const fs::path file = dir_->path() / "keytool.p12";
    write_text(file, *p12);
    const auto list =
        run("keytool -list -v -storetype PKCS12 -storepass pickup-pass-123 -keystore " +
            file.string() + " 2>&1");
    ASSERT_EQ(list.status, 0) << list.output;
    EXPECT_NE(list.output.find("1310123455-t01"), std::string::npos) << list.output;
    EXPECT_NE(list.output.find("PrivateKeyEntry"), std::string::npos) << list.output;
    EXPECT_NE(list.output.find("Certificate chain length: 3"), std::string::npos) << list.output;
    const auto wrong = run("keytool -list -storetype PKCS12 -storepass wrong-pass-123 -keystore " +
                           file.string() + " 2>&1");
    EXPECT_NE(wrong.status, 0) << wrong.output;
  }
}

TEST_F(Pkcs12Test, ShortPasswordsAreRefused) {
  const Issued t = issue_generated();
  EXPECT_EQ(error_of(ca_->make_pkcs12(t.cert.der, t.key.sealed_private_key, "1234567")),
            IssuingCa::Pkcs12Error::password_short);
  // Eight characters, whatever their byte length.
  EXPECT_EQ(error_of(ca_->make_pkcs12(t.cert.der, t.key.sealed_private_key, "あいうえお")),
            IssuingCa::Pkcs12Error::password_short);
  EXPECT_TRUE(ca_->make_pkcs12(t.cert.der, t.key.sealed_private_key, "あいうえおかきく"));
}

TEST_F(Pkcs12Test, SealedKeyOpensOnlyWithThisCasSecret) {
  const Issued t = issue_generated();
  EXPECT_TRUE(t.key.sealed_private_key.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
  const std::string secret = read_text(dir_->path() / "terminal-keys.secret");
  std::string hex;
  for (unsigned char c : secret) {
    static constexpr char kHex[] = "0123456789abcdef";
    hex += kHex[c >> 4];
    hex += kHex[c & 0x0f];
  }
  write_text(dir_->path() / "sealed.pem", t.key.sealed_private_key);
  const fs::path pub = dir_->path() / "sealed-pub.der";
  const auto r =
      run("openssl pkey -passin pass:" + hex + " -in " + (dir_->path() / "sealed.pem").string() +
          " -pubout -outform DER -out " + pub.string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(read_text(pub), t.key.public_key_der);

  // Another CA folder has another secret: its IssuingCa cannot unseal this key.
  TempDir other;
  init_ca(file_store(other.path()), CaSettings{}, day(2025, 1, 10));
  auto other_ca = IssuingCa::open(file_store(other.path()));
  EXPECT_THROW(other_ca->make_pkcs12(t.cert.der, t.key.sealed_private_key, "long enough"),
               std::runtime_error);
  // A key for another certificate is a bug, not user input.
  const Issued u = issue_generated();
  EXPECT_THROW(ca_->make_pkcs12(t.cert.der, u.key.sealed_private_key, "long enough"),
               std::runtime_error);
}

}  // namespace
