// What a certificate says of itself and whether its chain verifies (TrustAnchors), against the
// CA of certificate_status_fixture.hpp: every failure named, and nothing a client sends throws.
#include "certificate_status_fixture.hpp"

namespace onshi::pki::test {
namespace {

TEST_F(CertificateStatusTest, DescribesWhatTheTerminalCertificateSays) {
  const auto id = describe_certificate(terminal_.der);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->institution_code, "1310123455");
  EXPECT_EQ(id->terminal, "T01");
  EXPECT_EQ(id->common_name, "1310123455-T01");
  EXPECT_EQ(id->issuance_number, "C-00000123-01");
  EXPECT_EQ(id->serial_hex, terminal_.serial_hex);
  EXPECT_EQ(id->ocsp_url, server_->url("/ocsp"));
  EXPECT_EQ(id->crl_url, server_->url("/issuing.crl"));
  EXPECT_EQ(id->delta_crl_url, server_->url("/issuing-delta.crl"));
  EXPECT_EQ(id->ca_issuers_url, server_->url("/issuing.crt"));
  ASSERT_FALSE(id->issuer_common_name.empty());
  EXPECT_NE(id->issuer.find("CN=" + id->issuer_common_name), std::string::npos) << id->issuer;
  EXPECT_EQ(id->issuer, ca_->generations().front().subject);
  EXPECT_FALSE(describe_certificate("not a certificate").has_value());
}

TEST_F(CertificateStatusTest, VerifiesTheChainAndNamesEachFailure) {
  const auto a = anchors();
  const auto now = Clock::now();
  const auto ok = a.verify(presented(), now);
  ASSERT_TRUE(ok.ok()) << ok.detail;
  EXPECT_EQ(ok.chain.size(), 3u);
  EXPECT_EQ(ok.chain.front(), terminal_.der);

  EXPECT_EQ(a.verify({}, now).problem, ChainProblem::no_certificate);
  EXPECT_EQ(a.verify({"garbage"}, now).problem, ChainProblem::unreadable);
  // Without the issuing CA the path cannot be built; with it given as help, it can.
  EXPECT_EQ(a.verify({terminal_.der}, now).problem, ChainProblem::unknown_ca);
  TrustAnchors with_issuing(root_pem_ + ossl_pem(issuing_der_));
  EXPECT_TRUE(with_issuing.verify({terminal_.der}, now).ok());
  EXPECT_EQ(a.verify(presented(), terminal_.not_after + 1h).problem, ChainProblem::expired);
  EXPECT_EQ(a.verify(presented(), terminal_.not_before - 1h).problem, ChainProblem::not_yet_valid);
  // The OCSP responder's certificate chains to the root but is not for TLS clients.
  EXPECT_EQ(a.verify({responder_.der, issuing_der_}, now).problem, ChainProblem::wrong_purpose);
  // A root of another CA does not vouch for ours.
  test::TempDir other;
  init_ca(test::file_store(other.path()), CaSettings{}, now - 24h);
  TrustAnchors foreign(test::read_text(other.path() / "root.crt"));
  EXPECT_EQ(foreign.verify(presented(), now).problem, ChainProblem::unknown_ca);
  EXPECT_THROW(TrustAnchors("no pem here"), std::runtime_error);
}

// A self-signed certificate whose O and CN hold `value` as a UTF8String of any length (the
// openssl CLI would refuse more than the 64 characters RFC 5280 allows; a client need not).
std::string self_signed_with_names(const std::string& value, long valid_seconds = 86400) {
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
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), valid_seconds);
  X509_set_pubkey(cert.get(), key.get());
  X509_sign(cert.get(), key.get(), EVP_sha256());
  unsigned char* out = nullptr;
  const int n = i2d_X509(cert.get(), &out);
  std::string der(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n > 0 ? n : 0));
  OPENSSL_free(out);
  return der;
}

// What a TLS client may send instead of a terminal's chain: only the first problem is said, and
// nothing makes either function throw.
TEST_F(CertificateStatusTest, AnythingAClientSendsIsAnsweredWithTheFirstProblem) {
  const auto a = anchors();
  const auto now = Clock::now();
  for (const std::string& bad : {std::string(), terminal_.der + "x", terminal_.der.substr(0, 100),
                                 std::string(70000, '0')}) {
    EXPECT_EQ(a.verify({bad}, now).problem, ChainProblem::unreadable);
    EXPECT_FALSE(describe_certificate(bad).has_value());
  }
  // Garbage after a good leaf is no help to build a path with: the chain is unreadable.
  EXPECT_EQ(a.verify({terminal_.der, issuing_der_, "garbage"}, now).problem,
            ChainProblem::unreadable);
  // More certificates than any path of ours has is refused before anything is parsed.
  std::vector<std::string> long_chain(9, issuing_der_);
  long_chain.front() = terminal_.der;
  EXPECT_EQ(a.verify(long_chain, now).problem, ChainProblem::unknown_ca);
  long_chain.resize(8);
  EXPECT_TRUE(a.verify(long_chain, now).ok()) << "eight are looked at";

  // A self-signed client certificate is another CA's, and when it is also expired, that is
  // said first: the path is built before any date is looked at.
  const auto stranger = self_signed_with_names("stranger");
  EXPECT_EQ(a.verify({stranger}, now).problem, ChainProblem::unknown_ca);
  EXPECT_EQ(a.verify({stranger}, now + 48h).problem, ChainProblem::unknown_ca);
  EXPECT_EQ(describe_certificate(stranger)->issuer_common_name, "stranger");
  // A TLS client certificate the root signed itself verifies, but is no terminal's certificate.
  const auto d = dir_->path().string();
  const auto made = test::run(
      "cd '" + d +
      "' && printf 'basicConstraints=CA:FALSE\\nkeyUsage=critical,digitalSignature\\n"
      "extendedKeyUsage=clientAuth\\n' > direct.ext && openssl req -new -newkey ec -pkeyopt "
      "ec_paramgen_curve:P-256 -nodes -keyout /dev/null -subj /CN=direct -out direct.csr && "
      "openssl x509 -req -in direct.csr -CA root.crt -CAkey root.key -passin 'pass:" +
      test::file_store(dir_->path()).passphrase +
      "' -set_serial 0x77 -days 30 -extfile direct.ext -outform DER -out direct.der");
  ASSERT_EQ(made.status, 0) << made.output;
  // Made just now (its notBefore the second it was signed): verified a minute on.
  const auto direct = a.verify({test::read_text(dir_->path() / "direct.der")}, now + 1min);
  EXPECT_EQ(direct.problem, ChainProblem::not_a_terminal) << direct.detail;

  // A huge name is cut; not UTF-8 although it says UTF8String, OpenSSL reads no such certificate.
  const auto huge = describe_certificate(self_signed_with_names(std::string(20000, 'A')));
  ASSERT_TRUE(huge.has_value());
  EXPECT_EQ(huge->common_name, std::string(1024, 'A'));
  EXPECT_EQ(huge->institution_name.size(), 1024u);
  EXPECT_EQ(huge->issuer_common_name.size(), 1024u);
  EXPECT_FALSE(describe_certificate(self_signed_with_names("\xff\xfe broken")).has_value());
}

}  // namespace
}  // namespace onshi::pki::test
