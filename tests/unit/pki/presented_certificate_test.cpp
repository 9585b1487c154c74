// What the 接続確認 page reads from a client's chain, against a CA shaped like ours (root, then
// issuing) made by the openssl CLI: which certificate it is, and every reason it does not verify
// (another CA, expired, not yet valid, not for client authentication), at a chosen time. Nothing
// a client can send makes it throw: garbage, an empty chain, a long one, a huge subject.
#include "pki/presented_certificate.hpp"

#include <algorithm>

#include "pki_test_support.hpp"

namespace onshi::pki {
namespace {

using namespace std::chrono;
using test::read_text;
using test::run;

// clang-format off
constexpr const char* kMakePki = R"sh(set -e
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"; }
csr() { openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"; }
sign() { openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -set_serial "0x$4" -days "${5:-30}" -extfile "$3.ext" -out "$1.crt"; }
printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' > ca.ext
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' > client.ext
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' > server.ext
key root; csr root "/CN=Test Root CA"; openssl x509 -req -in root.csr -signkey root.key -days 60 -extfile ca.ext -out root.crt
key issuing; csr issuing "/CN=Test Issuing CA"; sign issuing root ca 1001 60
key client; openssl req -new -key client.key -utf8 -subj "/O=医療法人テスト会 さくら診療所/OU=1310123455/CN=1310123455-T01/serialNumber=C-00000001-01" -out client.csr
sign client issuing client 00a1b2c3d4e5f60718
key server; csr server "/CN=server"; sign server issuing server 2002
key stranger; csr stranger "/CN=stranger"; openssl x509 -req -in stranger.csr -signkey stranger.key -days 30 -extfile client.ext -out stranger.crt
for c in root issuing client server stranger; do openssl x509 -in $c.crt -outform DER -out $c.der; done
)sh";
// clang-format on

class PresentedCertificateTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir;
    test::write_text(*dir_ / "make-pki.sh", kMakePki);
    const auto made = run("cd '" + dir_->path().string() + "' && bash make-pki.sh");
    ASSERT_EQ(made.status, 0) << made.output;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string der(const std::string& name) { return read_text(*dir_ / (name + ".der")); }

  static PresentedCertificate examine(const std::vector<std::string>& chain,
                                      system_clock::time_point at = system_clock::now()) {
    return examine_presented_chain(chain, der("root"), {der("issuing")}, at);
  }

  static bool has(const PresentedCertificate& p, ChainProblem problem) {
    return std::ranges::find(p.problems, problem) != p.problems.end();
  }

  static inline test::TempDir* dir_ = nullptr;
};

TEST_F(PresentedCertificateTest, OursVerifiesAndSaysWhichItIs) {
  const auto p = examine({der("client")});
  ASSERT_TRUE(p.readable);
  EXPECT_TRUE(p.problems.empty()) << p.openssl_error;
  EXPECT_EQ(p.serial_hex, "a1b2c3d4e5f60718");
  EXPECT_EQ(p.organization, "医療法人テスト会 さくら診療所");
  EXPECT_EQ(p.organizational_unit, "1310123455");
  EXPECT_EQ(p.common_name, "1310123455-T01");
  EXPECT_EQ(p.serial_number, "C-00000001-01");
  EXPECT_EQ(p.issuer_common_name, "Test Issuing CA");
  EXPECT_EQ(duration_cast<hours>(p.not_after - p.not_before).count(), 30 * 24);
  // The issuing certificate sent by the client as well changes nothing.
  EXPECT_TRUE(examine({der("client"), der("issuing")}).problems.empty());
}

TEST_F(PresentedCertificateTest, WithoutTheIssuingCertificateItDoesNotLeadToTheRoot) {
  const auto p = examine_presented_chain({der("client")}, der("root"), {}, system_clock::now());
  EXPECT_TRUE(has(p, ChainProblem::other_ca)) << p.openssl_error;
  // Sent by the client, it does.
  EXPECT_TRUE(
      examine_presented_chain({der("client"), der("issuing")}, der("root"), {}, system_clock::now())
          .problems.empty());
}

TEST_F(PresentedCertificateTest, SaysWhyAChainDoesNotVerify) {
  const auto stranger = examine({der("stranger")});
  ASSERT_TRUE(stranger.readable);
  EXPECT_EQ(stranger.problems, std::vector{ChainProblem::other_ca});
  EXPECT_EQ(stranger.issuer_common_name, "stranger");
  EXPECT_FALSE(stranger.openssl_error.empty());

  const auto server = examine({der("server")});
  EXPECT_EQ(server.problems, std::vector{ChainProblem::wrong_purpose}) << server.openssl_error;

  const auto later = examine({der("client")}, system_clock::now() + days{45});
  EXPECT_EQ(later.problems, std::vector{ChainProblem::expired}) << later.openssl_error;
  const auto earlier = examine({der("client")}, system_clock::now() - days{1});
  EXPECT_TRUE(has(earlier, ChainProblem::not_yet_valid)) << earlier.openssl_error;
  // Once the issuing CA's own certificate has expired too, that is said apart from the leaf's.
  const auto much_later = examine({der("client")}, system_clock::now() + days{400});
  EXPECT_TRUE(has(much_later, ChainProblem::expired));
  EXPECT_TRUE(has(much_later, ChainProblem::other));
  // Another CA's certificate that is also expired is both.
  const auto stale_stranger = examine({der("stranger")}, system_clock::now() + days{45});
  EXPECT_TRUE(has(stale_stranger, ChainProblem::other_ca));
  EXPECT_TRUE(has(stale_stranger, ChainProblem::expired));
}

TEST_F(PresentedCertificateTest, AnythingAClientSendsIsAnsweredWithoutThrowing) {
  EXPECT_FALSE(examine({}).readable);
  EXPECT_FALSE(examine({""}).readable);
  EXPECT_FALSE(examine({"garbage"}).readable);
  EXPECT_FALSE(examine({der("client") + "x"}).readable) << "trailing bytes";
  EXPECT_FALSE(examine({der("client").substr(0, 100)}).readable);
  // Garbage after a good leaf is ignored; ten certificates are looked at only up to the bound.
  EXPECT_TRUE(examine({der("client"), "garbage", ""}).problems.empty());
  std::vector<std::string> long_chain(10, der("stranger"));
  long_chain.front() = der("client");
  EXPECT_TRUE(examine(long_chain).problems.empty());
  // No trust anchor at all (a broken CA folder): nothing verifies, nothing throws.
  EXPECT_TRUE(
      examine_presented_chain({der("client")}, "", {"junk"}, system_clock::now()).problems.size() >
      0);
}

// A self-signed certificate whose O and CN hold `value` as a UTF8String of any length (the
// openssl CLI would refuse more than the 64 characters RFC 5280 allows; a client need not).
std::string self_signed_with_names(const std::string& value) {
  auto key = test::ec_key("P-256");
  test::Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 7);
  X509_NAME* name = X509_get_subject_name(cert.get());
  const auto* bytes = reinterpret_cast<const unsigned char*>(value.data());
  const int length = static_cast<int>(value.size());
  X509_NAME_add_entry_by_NID(name, NID_organizationName, V_ASN1_UTF8STRING, bytes, length, -1, 0);
  X509_NAME_add_entry_by_NID(name, NID_commonName, V_ASN1_UTF8STRING, bytes, length, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  X509_set_pubkey(cert.get(), key.get());
  X509_sign(cert.get(), key.get(), EVP_sha256());
  unsigned char* out = nullptr;
  const int n = i2d_X509(cert.get(), &out);
  std::string der(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n > 0 ? n : 0));
  OPENSSL_free(out);
  return der;
}

TEST_F(PresentedCertificateTest, AHugeSubjectIsCut) {
  const auto p = examine({self_signed_with_names(std::string(20000, 'A'))});
  ASSERT_TRUE(p.readable);
  EXPECT_EQ(p.common_name, std::string(kMaxAttributeCodePoints, 'A'));
  EXPECT_EQ(p.organization.size(), kMaxAttributeCodePoints);
  EXPECT_EQ(p.issuer_common_name.size(), kMaxAttributeCodePoints);
  EXPECT_TRUE(has(p, ChainProblem::other_ca));
  // Not UTF-8 although it says UTF8String: OpenSSL reads no such certificate at all.
  EXPECT_FALSE(examine({self_signed_with_names("\xff\xfe broken")}).readable);
}

}  // namespace
}  // namespace onshi::pki
