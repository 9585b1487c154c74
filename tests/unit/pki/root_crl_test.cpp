// The root's ARL (CPIPCS 7.2.2): signed with the root key at the ceremony, numbered from the CA
// folder, remembering the issuing CA certificates revoked so far.
#include "pki/crl.hpp"

#include "pki_test_support.hpp"

#include <gtest/gtest.h>

#include <openssl/x509v3.h>

namespace {

using namespace onshi::pki;
using namespace onshi::pki::test;
using std::chrono::system_clock;

const std::string kArlUrl = "https://onshi.example.jp/pki/crl/root.crl";

class RootCrlTest : public SuiteCaTest<RootCrlTest> {
 protected:
  // The issuing CA certificate names the ARL's URL in its cRLDistributionPoints, as
  // pki.root_crl_url makes it do.
  static void SetUpTestSuite() {
    CaSettings s;
    s.root_crl_url = kArlUrl;
    open_suite_ca(s);
  }
  // Each test signs in a copy of the suite's CA folder, so that numbers start afresh.
  void SetUp() override { fs::copy(dir_->path(), folder_.path(), fs::copy_options::recursive); }
  KeyStoreConfig cfg() const { return file_store(folder_.path()); }
  std::string issuing_serial() const { return describe_ca(cfg()).issuing.serial_hex; }
  std::expected<RootCrl, RootCrlError> sign(std::optional<RootCrlRevocation> revoke = {}) {
    return sign_root_crl(cfg(), revoke, day(2025, 5, 1));
  }
  // `openssl verify -crl_check_all` of a new terminal certificate with root.crl and an issuing
  // CA CRL that lists nothing: every certificate of the chain, the root too, is checked.
  CommandResult verify_whole_chain() const {
    const auto issuing = IssuingCa::open(cfg());
    const auto leaf = issuing->issue(sample_subject(), spki_der(ec_key("P-256").get()),
                                     sample_profile(), "4a5b6c", day(2025, 4, 1));
    write_text(folder_.path() / "leaf.pem", leaf.pem);
    CrlFields f;
    f.number = 1;
    f.this_update = day(2025, 5, 1);
    f.next_update = day(2025, 5, 2);
    f.distribution_point = sample_profile().crl_url;
    write_text(folder_.path() / "issuing.crl",
               CrlBuilder(*issuing, issuing->generations().front().key_id_hex, f).sign());
    std::string crls;
    for (const char* name : {"root.crl", "issuing.crl"}) {
      const std::string der = (folder_.path() / name).string();
      const auto r = run("openssl crl -inform DER -in " + der + " -out " + der + ".pem");
      if (r.status != 0) return r;
      crls.append(" -CRLfile ").append(der).append(".pem");
    }
    return run("openssl verify -crl_check_all -attime " +
               std::to_string(system_clock::to_time_t(day(2025, 5, 1, 12))) + " -CAfile " +
               (folder_.path() / "root.crt").string() + " -untrusted " +
               (folder_.path() / "issuing.crt").string() + crls + " " +
               (folder_.path() / "leaf.pem").string());
  }
  CommandResult openssl_text() const {
    return run("openssl crl -inform DER -in " + (folder_.path() / "root.crl").string() +
               " -noout -text -CAfile " + (folder_.path() / "root.crt").string());
  }

  TempDir folder_;
};

TEST_F(RootCrlTest, FirstArlIsEmptyNumberOneAndValidTwelveMonths) {
  const auto arl = sign();
  ASSERT_TRUE(arl);
  EXPECT_EQ(arl->summary.number, 1);
  EXPECT_EQ(arl->summary.entries, 0u);
  EXPECT_EQ(arl->summary.this_update, day(2025, 5, 1));
  EXPECT_EQ(arl->summary.next_update, day(2026, 5, 1));
  EXPECT_EQ(arl->summary.issuer, "CN=onshi Root CA G1,O=onshi,C=JP");
  EXPECT_EQ(read_text(folder_.path() / "root.crl"), arl->der) << "written to the CA folder";
  EXPECT_EQ(file_mode(folder_.path() / "root.crl"), 0644u);
  const auto r = openssl_text();
  ASSERT_EQ(r.status, 0) << r.output;
  for (const char* line : {"verify OK", "Issuer: C = JP, O = onshi, CN = onshi Root CA G1",
                           "Signature Algorithm: ecdsa-with-SHA384", "No Revoked Certificates.",
                           "X509v3 Issuing Distribution Point: critical", "Only CA Certificates",
                           "X509v3 Authority Key Identifier"}) {
    EXPECT_NE(r.output.find(line), std::string::npos) << line << "\n" << r.output;
  }
  EXPECT_EQ(r.output.find("Full Name"), std::string::npos) << "the ARL names no point\n"
                                                           << r.output;
  const auto verified = verify_whole_chain();
  EXPECT_EQ(verified.status, 0) << "the root is checked against the ARL too\n" << verified.output;
}

TEST_F(RootCrlTest, RevocationIsListedWithItsReasonAndRemembered) {
  const std::string serial = issuing_serial();
  auto arl = sign(RootCrlRevocation{serial, 2});
  ASSERT_TRUE(arl);
  EXPECT_EQ(arl->summary.entries, 1u);
  ASSERT_EQ(arl->revoked.size(), 1u);
  EXPECT_EQ(arl->revoked[0].reason, 2);
  auto r = openssl_text();
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("CA Compromise"), std::string::npos) << r.output;

  // The next ARL, without --revoke, still lists it, with a higher number.
  arl = sign();
  ASSERT_TRUE(arl);
  EXPECT_EQ(arl->summary.number, 2);
  EXPECT_EQ(arl->summary.entries, 1u);
  r = openssl_text();
  EXPECT_NE(r.output.find("CA Compromise"), std::string::npos) << r.output;

  // openssl refuses the issuing CA, hence every terminal certificate under it, with this ARL.
  r = verify_whole_chain();
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("error 23 at 1 depth lookup: certificate revoked"), std::string::npos)
      << r.output;
}

TEST_F(RootCrlTest, RefusesWhatItCannotRevokeAndChangesNothing) {
  EXPECT_EQ(sign(RootCrlRevocation{"0badc0de", 2}).error(), RootCrlError::unknown_certificate);
  EXPECT_EQ(sign(RootCrlRevocation{issuing_serial(), 1}).error(), RootCrlError::reason_not_allowed)
      << "keyCompromise is for end entities; a CA's is cACompromise";
  EXPECT_FALSE(fs::exists(folder_.path() / "root.crl"));
  EXPECT_FALSE(fs::exists(folder_.path() / "root-crl-number"));
  ASSERT_TRUE(sign(RootCrlRevocation{issuing_serial(), 5}));
  EXPECT_EQ(sign(RootCrlRevocation{issuing_serial(), 5}).error(), RootCrlError::already_revoked);
}

TEST_F(RootCrlTest, SerialMayBeTypedAsOpensslPrintsIt) {
  std::string typed;
  const std::string serial = issuing_serial();
  for (std::size_t i = 0; i < serial.size(); i += 2) {
    if (!typed.empty()) typed += ':';
    typed += static_cast<char>(std::toupper(static_cast<unsigned char>(serial[i])));
    typed += static_cast<char>(std::toupper(static_cast<unsigned char>(serial[i + 1])));
  }
  const auto arl = sign(RootCrlRevocation{typed, 4});
  ASSERT_TRUE(arl);
  EXPECT_EQ(arl->revoked.at(0).serial_hex, serial);
}

TEST_F(RootCrlTest, WrongPassphraseLeavesTheFolderAsItWas) {
  KeyStoreConfig wrong = cfg();
  wrong.passphrase = "not the passphrase at all";
  EXPECT_THROW(sign_root_crl(wrong, RootCrlRevocation{issuing_serial(), 2}, day(2025, 5, 1)),
               std::runtime_error);
  EXPECT_FALSE(fs::exists(folder_.path() / "root-crl-number"));
  EXPECT_FALSE(fs::exists(folder_.path() / "root-crl-revoked"));
  EXPECT_FALSE(fs::exists(folder_.path() / "root.crl"));
}

TEST_F(RootCrlTest, NumberNeverRepeatsEvenWhenTheFileWasLost) {
  ASSERT_TRUE(sign());
  ASSERT_TRUE(sign());
  fs::remove(folder_.path() / "root.crl");
  const auto arl = sign();
  ASSERT_TRUE(arl);
  EXPECT_EQ(arl->summary.number, 3);
}

}  // namespace
