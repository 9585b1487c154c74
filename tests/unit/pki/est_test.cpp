// What EST needs from pki/: /csrattrs as openssl asn1parse reads it, the facts re-enrolment
// compares (serial, subject, subjectAltName) from certificates and from requests made by the
// openssl CLI as a vendor would, and /serverkeygen's PKCS#8 key read by openssl pkey.
#include "pki/est.hpp"

#include <gtest/gtest.h>

#include <regex>

#include "pki/csr.hpp"
#include "pki/serial.hpp"
#include "pki_test_support.hpp"
#include "support/error_of.hpp"

namespace {

using onshi::test::error_of;
using namespace onshi::pki;
using namespace onshi::pki::test;

// `openssl asn1parse` output without its offsets and lengths: "d=1 cons: SEQUENCE", ...
std::string asn1_outline(const TempDir& dir, const std::string& der) {
  const fs::path file = dir / "in.der";
  write_text(file, der);
  const auto r = run("openssl asn1parse -inform DER -in " + file.string());
  EXPECT_EQ(r.status, 0) << r.output;
  static const std::regex line_re(
      R"(d=(\d+)\s+hl=\s*\d+\s+l=\s*\d+\s+(prim|cons): *(\S+)\s*(:\S+)?)");
  std::string out;
  std::istringstream lines(r.output);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, line_re)) continue;
    out.append("d=").append(m[1]).append(" ").append(m[2]).append(": ").append(m[3]);
    if (m[4].matched) out.append(" ").append(m[4]);
    out.append("\n");
  }
  return out;
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

TEST(EstCsrAttributes, EcP256NamesTheCurveAsAnAttributeAndTheSignatureAsAnOid) {
  TempDir dir;
  EXPECT_EQ(asn1_outline(dir, csr_attributes_der(KeyAlgorithm::ec_p256)),
            "d=0 cons: SEQUENCE\n"
            "d=1 cons: SEQUENCE\n"
            "d=2 prim: OBJECT :id-ecPublicKey\n"
            "d=2 cons: SET\n"
            "d=3 prim: OBJECT :prime256v1\n"
            "d=1 prim: OBJECT :ecdsa-with-SHA256\n");
}

TEST(EstCsrAttributes, EcP384AndRsa) {
  TempDir dir;
  EXPECT_EQ(asn1_outline(dir, csr_attributes_der(KeyAlgorithm::ec_p384)),
            "d=0 cons: SEQUENCE\n"
            "d=1 cons: SEQUENCE\n"
            "d=2 prim: OBJECT :id-ecPublicKey\n"
            "d=2 cons: SET\n"
            "d=3 prim: OBJECT :secp384r1\n"
            "d=1 prim: OBJECT :ecdsa-with-SHA384\n");
  for (auto rsa : {KeyAlgorithm::rsa_2048, KeyAlgorithm::rsa_3072}) {
    EXPECT_EQ(asn1_outline(dir, csr_attributes_der(rsa)),
              "d=0 cons: SEQUENCE\n"
              "d=1 prim: OBJECT :rsaEncryption\n"
              "d=1 prim: OBJECT :sha256WithRSAEncryption\n");
  }
}

class EstPkiTest : public SuiteCaTest<EstPkiTest> {
 protected:
  static void SetUpTestSuite() { open_suite_ca(); }
  struct Issued {
    TerminalKey key;
    IssuedCertificate cert;
  };
  static Issued issue_generated() {
    TerminalKey key = ca_->generate_terminal_key(KeyAlgorithm::ec_p256);
    IssuedCertificate cert = ca_->issue(sample_subject(), key.public_key_der, sample_profile(),
                                        random_serial_hex(), day(2025, 4, 1));
    return {std::move(key), std::move(cert)};
  }
  static fs::path file(const std::string& name, std::string_view data) {
    const fs::path p = dir_->path() / name;
    write_text(p, data);
    return p;
  }
  // A CSR made by the openssl CLI for a new P-256 key, PEM (OpenSSL 3.0's `x509 -x509toreq
  // -outform DER` writes no request).
  static std::string openssl_csr(const std::string& how) {
    const fs::path key = dir_->path() / "new.key";
    const fs::path out = dir_->path() / "new.csr";
    auto r =
        run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + key.string());
    EXPECT_EQ(r.status, 0) << r.output;
    r = run(how + " -key " + key.string() + " -out " + out.string());
    EXPECT_EQ(r.status, 0) << r.output;
    return read_text(out);
  }
};

TEST_F(EstPkiTest, CertificateFactsAreThoseOpensslReads) {
  const Issued t = issue_generated();
  const auto facts = read_certificate(t.cert.der);
  ASSERT_TRUE(facts);
  EXPECT_EQ(facts->serial_hex, t.cert.serial_hex);
  EXPECT_EQ(facts->public_key_der, t.key.public_key_der);
  EXPECT_EQ(facts->not_after, t.cert.not_after);
  EXPECT_EQ(facts->not_before, t.cert.not_before);
  EXPECT_EQ(facts->subject_alt_name_der, "");  // the terminal profile has none
  const auto serial =
      run("openssl x509 -inform DER -noout -serial -in " + file("t.der", t.cert.der).string());
  EXPECT_EQ(serial.output, std::string("serial=").append(upper(t.cert.serial_hex)).append("\n"));
  // The subject's DER is the certificate's own bytes.
  EXPECT_NE(t.cert.der.find(facts->subject_der), std::string::npos);
  EXPECT_NE(asn1_outline(*dir_, facts->subject_der).find(":1310123455-T01"), std::string::npos);

  EXPECT_FALSE(read_certificate("not a certificate"));
  EXPECT_FALSE(read_certificate(t.cert.der + "x"));
  EXPECT_FALSE(read_certificate(""));
}

TEST_F(EstPkiTest, ASubjectAltNameIsReadFromCertificateAndRequest) {
  auto server = ca_->issue_server_certificate({"est.example.jp"}, {}, day(2025, 4, 1));
  ASSERT_TRUE(server);
  // Freed at the end of the test: LeakSanitizer (./scripts/test --sanitize) found it leaked.
  const std::unique_ptr<BIO, decltype(&BIO_free)> pem(
      BIO_new_mem_buf(server->certificate_pem.data(), -1), &BIO_free);
  Cert parsed(PEM_read_bio_X509(pem.get(), nullptr, nullptr, nullptr));
  ASSERT_TRUE(parsed);
  unsigned char* buf = nullptr;
  const int len = i2d_X509(parsed.get(), &buf);
  const std::string der(reinterpret_cast<char*>(buf), static_cast<std::size_t>(len));
  OPENSSL_free(buf);
  const auto facts = read_certificate(der);
  ASSERT_TRUE(facts);
  EXPECT_NE(asn1_outline(*dir_, facts->subject_alt_name_der).find("d=0 cons: SEQUENCE"),
            std::string::npos);
  EXPECT_NE(facts->subject_alt_name_der.find("est.example.jp"), std::string::npos);

  const auto csr = check_csr(openssl_csr(
      "openssl req -new -subj /CN=est.example.jp -addext subjectAltName=DNS:est.example.jp"));
  ASSERT_TRUE(csr) << csr_error_name(error_of(csr));
  EXPECT_EQ(csr->subject_alt_name_der, facts->subject_alt_name_der);
  const auto plain = check_csr(openssl_csr("openssl req -new -subj /CN=est.example.jp"));
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->subject_alt_name_der, "");
}

TEST_F(EstPkiTest, ARequestForTheSameSubjectNamesTheSameNameHoweverItWasWritten) {
  const Issued t = issue_generated();
  const auto facts = read_certificate(t.cert.der);
  ASSERT_TRUE(facts);
  const fs::path cert = file("current.der", t.cert.der);
  // What docs/vendor-guide.md tells vendors: the request from the certificate itself.
  const auto from_cert =
      check_csr(openssl_csr("openssl x509 -x509toreq -inform DER -in " + cert.string()));
  ASSERT_TRUE(from_cert) << csr_error_name(error_of(from_cert));
  EXPECT_EQ(from_cert->subject_der, facts->subject_der);
  EXPECT_TRUE(same_name(from_cert->subject_der, facts->subject_der));
  // Typed by hand with -subj: other string types than the CA wrote, and the case of the CN
  // differs; RFC 5280's comparison finds the same name.
  const auto typed = check_csr(openssl_csr(
      "openssl req -new -utf8 -subj '/C=JP/O=医療法人社団　オンライン医院/OU=1310123455/"
      "CN=1310123455-t01/serialNumber=C-00000123-01'"));
  ASSERT_TRUE(typed) << csr_error_name(error_of(typed));
  EXPECT_TRUE(same_name(typed->subject_der, facts->subject_der));
  // Another terminal, another order, a missing attribute: another name.
  for (const char* subj :
       {"/C=JP/O=医療法人社団　オンライン医院/OU=1310123455/"
        "CN=1310123455-T02/serialNumber=C-00000123-01",
        "/C=JP/OU=1310123455/O=医療法人社団　オンライン医院/"
        "CN=1310123455-T01/serialNumber=C-00000123-01",
        "/C=JP/O=医療法人社団　オンライン医院/OU=1310123455/CN=1310123455-T01"}) {
    const auto other =
        check_csr(openssl_csr(std::string("openssl req -new -utf8 -subj '") + subj + "'"));
    ASSERT_TRUE(other);
    EXPECT_FALSE(same_name(other->subject_der, facts->subject_der)) << subj;
  }
  EXPECT_FALSE(same_name("garbage", facts->subject_der));
  EXPECT_FALSE(same_name(facts->subject_der, ""));
}

TEST_F(EstPkiTest, ServerKeygenKeyIsPlainPkcs8OfTheCertificatesKey) {
  const Issued t = issue_generated();
  const std::string pkcs8 = ca_->private_key_pkcs8(t.cert.der, t.key.sealed_private_key);
  const fs::path key = file("key.p8", pkcs8);
  const fs::path cert = file("cert.der", t.cert.der);
  // Unencrypted: openssl reads it without a password, as PKCS#8 (PrivateKeyInfo).
  const auto parsed = run("openssl asn1parse -inform DER -in " + key.string());
  EXPECT_NE(parsed.output.find(":id-ecPublicKey"), std::string::npos) << parsed.output;
  const auto from_key = run("openssl pkey -inform DER -passin pass: -pubout -in " + key.string());
  const auto from_cert = run("openssl x509 -inform DER -noout -pubkey -in " + cert.string());
  ASSERT_EQ(from_key.status, 0) << from_key.output;
  ASSERT_EQ(from_cert.status, 0) << from_cert.output;
  EXPECT_EQ(from_key.output, from_cert.output);
  // Another certificate's key is a bug, never handed out.
  const Issued other = issue_generated();
  EXPECT_THROW((void)ca_->private_key_pkcs8(other.cert.der, t.key.sealed_private_key),
               std::runtime_error);
  EXPECT_THROW((void)ca_->private_key_pkcs8(t.cert.der, "not sealed"), std::runtime_error);
}

}  // namespace
