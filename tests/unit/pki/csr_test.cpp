#include "pki/csr.hpp"

#include "pki_test_support.hpp"

#include <gtest/gtest.h>
#include "support/error_of.hpp"

namespace {

using onshi::test::error_of;

using namespace onshi::pki;
using namespace onshi::pki::test;

TEST(Csr, AcceptsP256AndReturnsItsPublicKey) {
  Pkey key = ec_key("P-256");
  auto r = check_csr(make_csr_pem(key.get()));
  ASSERT_TRUE(r) << csr_error_name(error_of(r));
  EXPECT_EQ(r->key_description, "ECDSA P-256");
  EXPECT_EQ(r->public_key_der, spki_der(key.get()));
}

TEST(Csr, AcceptsDerAndP384) {
  Pkey key = ec_key("P-384");
  auto r = check_csr(der_of(make_csr_pem(key.get(), false, EVP_sha384())));
  ASSERT_TRUE(r) << csr_error_name(error_of(r));
  EXPECT_EQ(r->key_description, "ECDSA P-384");
}

TEST(Csr, AcceptsRsa2048) {
  Pkey key = rsa_key(2048);
  auto r = check_csr(make_csr_pem(key.get()));
  ASSERT_TRUE(r) << csr_error_name(error_of(r));
  EXPECT_EQ(r->key_description, "RSA 2048");
  EXPECT_EQ(r->public_key_der, spki_der(key.get()));
}

TEST(Csr, RefusesATamperedSignature) {
  Pkey key = ec_key("P-256");
  EXPECT_EQ(error_of(check_csr(make_csr_pem(key.get(), true))), CsrError::bad_signature);
  Pkey rsa = rsa_key(2048);
  EXPECT_EQ(error_of(check_csr(make_csr_pem(rsa.get(), true))), CsrError::bad_signature);
}

TEST(Csr, RefusesARequestSignedByAnotherKey) {
  // The public key of one pair with the signature of another: no proof of possession.
  Pkey key = ec_key("P-256");
  Pkey other = ec_key("P-256");
  X509_REQ* req = X509_REQ_new();
  X509_REQ_set_pubkey(req, key.get());
  X509_REQ_sign(req, other.get(), EVP_sha256());
  unsigned char* buf = nullptr;
  const int len = i2d_X509_REQ(req, &buf);
  std::string der(reinterpret_cast<char*>(buf), static_cast<std::size_t>(len));
  OPENSSL_free(buf);
  X509_REQ_free(req);
  EXPECT_EQ(error_of(check_csr(der)), CsrError::bad_signature);
}

TEST(Csr, RefusesRsa1024AsWeak) {
  Pkey key = rsa_key(1024);
  EXPECT_EQ(error_of(check_csr(make_csr_pem(key.get()))), CsrError::weak_key);
}

TEST(Csr, RefusesRsa2560AsUnsupported) {
  Pkey key = rsa_key(2560);
  EXPECT_EQ(error_of(check_csr(make_csr_pem(key.get()))), CsrError::unsupported_key);
}

TEST(Csr, RefusesOtherCurves) {
  for (const char* curve : {"secp256k1", "P-521", "P-224"}) {
    Pkey key = ec_key(curve);
    ASSERT_TRUE(key) << curve;
    EXPECT_EQ(error_of(check_csr(make_csr_pem(key.get()))), CsrError::unsupported_curve) << curve;
  }
}

TEST(Csr, RefusesRsaExponent3) {
  Pkey key = rsa_key(2048, 3);
  EXPECT_EQ(error_of(check_csr(make_csr_pem(key.get()))), CsrError::rsa_exponent);
}

TEST(Csr, RefusesEd25519) {
  Pkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  EXPECT_EQ(error_of(check_csr(make_csr_pem(key.get(), false, nullptr))),
            CsrError::unsupported_key);
}

TEST(Csr, RefusesSha1Signatures) {
  Pkey key = ec_key("P-256");
  EXPECT_EQ(error_of(check_csr(make_csr_pem(key.get(), false, EVP_sha1()))),
            CsrError::weak_signature);
}

TEST(Csr, RefusesGarbage) {
  EXPECT_EQ(error_of(check_csr("")), CsrError::unreadable);
  EXPECT_EQ(error_of(check_csr("hello")), CsrError::unreadable);
  EXPECT_EQ(error_of(check_csr("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE "
                               "REQUEST-----\n")),
            CsrError::unreadable);
  const std::string der = der_of(make_csr_pem(ec_key("P-256").get()));
  EXPECT_EQ(error_of(check_csr(der.substr(0, der.size() - 5))), CsrError::unreadable);
  EXPECT_EQ(error_of(check_csr(der + "x")), CsrError::unreadable);
  EXPECT_EQ(error_of(check_csr(std::string(70000, 'A'))), CsrError::unreadable);
}

TEST(Csr, RefusesTwoRequestsInOneBox) {
  // One box is one terminal: the second request would otherwise be dropped without a word.
  Pkey first = ec_key("P-256");
  Pkey second = ec_key("P-256");
  const std::string both = make_csr_pem(first.get()) + make_csr_pem(second.get());
  EXPECT_EQ(error_of(check_csr(both)), CsrError::more_than_one);
  EXPECT_TRUE(check_csr(make_csr_pem(first.get())).has_value());
}

TEST(Csr, AcceptsARequestFromTheOpensslCli) {
  TempDir dir;
  const auto r =
      run("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "
          "/CN=T01 -keyout " +
          (dir / "k.pem").string() + " -out " + (dir / "r.pem").string());
  ASSERT_EQ(r.status, 0) << r.output;
  auto checked = check_csr(read_text(dir / "r.pem"));
  ASSERT_TRUE(checked) << csr_error_name(error_of(checked));
  EXPECT_EQ(checked->key_description, "ECDSA P-256");
}

}  // namespace
