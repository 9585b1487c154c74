// The chain without a key: PKCS#7 certs-only (.p7b, EST /cacerts) and PEM, read by openssl and
// Java's keytool.
#include "pki/certs_only.hpp"

#include <gtest/gtest.h>

#include "pki/serial.hpp"
#include "pki_test_support.hpp"

namespace {

using namespace onshi::pki;
using namespace onshi::pki::test;

TEST(CertsOnly, Pkcs7CarriesTheChainInOrderForOpensslAndKeytool) {
  TempDir dir;
  init_ca(file_store(dir.path()), CaSettings{}, day(2025, 1, 10));
  auto ca = IssuingCa::open(file_store(dir.path()));
  const TerminalKey key = ca->generate_terminal_key(KeyAlgorithm::ec_p256);
  const IssuedCertificate cert = ca->issue(sample_subject(), key.public_key_der, sample_profile(),
                                           random_serial_hex(), day(2025, 4, 1));
  const std::string issuing = ca->issuing_der();
  const std::string root = ca->root_der();

  const fs::path p7b = dir.path() / "C-00000001-01.p7b";
  write_text(p7b, certs_only_pkcs7({cert.der, issuing, root}));
  const auto printed =
      run("openssl pkcs7 -inform DER -print_certs -noout -in " + p7b.string() + " 2>&1");
  ASSERT_EQ(printed.status, 0) << printed.output;
  const auto leaf = printed.output.find("CN = 1310123455-T01");
  const auto mid = printed.output.find("subject=C = JP, O = onshi, CN = onshi Issuing CA G1");
  const auto top = printed.output.find("subject=C = JP, O = onshi, CN = onshi Root CA G1");
  ASSERT_NE(leaf, std::string::npos) << printed.output;
  ASSERT_NE(mid, std::string::npos) << printed.output;
  ASSERT_NE(top, std::string::npos) << printed.output;
  EXPECT_LT(leaf, mid);
  EXPECT_LT(mid, top);
  // The certificates taken out of it verify as a chain to the root.
  const fs::path chain = dir.path() / "chain.pem";
  ASSERT_EQ(
      run("openssl pkcs7 -inform DER -print_certs -in " + p7b.string() + " -out " + chain.string())
          .status,
      0);
  write_text(dir.path() / "leaf.pem", certificates_pem({cert.der}));
  write_text(dir.path() / "root.pem", certificates_pem({root}));
  const auto verified = run("openssl verify -CAfile " + (dir.path() / "root.pem").string() +
                            " -untrusted " + chain.string() + " -attime " +
                            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                               day(2025, 4, 2).time_since_epoch())
                                               .count()) +
                            " " + (dir.path() / "leaf.pem").string() + " 2>&1");
  EXPECT_EQ(verified.status, 0) << verified.output;
  // keytool reads a PKCS#7 file as the chain it is.
  const auto listed = run("keytool -printcert -file " + p7b.string() + " 2>&1");
  ASSERT_EQ(listed.status, 0) << listed.output;
  EXPECT_NE(listed.output.find("Certificate[3]"), std::string::npos) << listed.output;
  // An EST /cacerts answer holds the two CA certificates only.
  write_text(dir.path() / "cacerts.p7", certs_only_pkcs7({issuing, root}));
  const auto cacerts = run("openssl pkcs7 -inform DER -print_certs -noout -in " +
                           (dir.path() / "cacerts.p7").string() + " 2>&1");
  EXPECT_EQ(cacerts.output.find("1310123455-T01"), std::string::npos) << cacerts.output;
  EXPECT_NE(cacerts.output.find("onshi Root CA G1"), std::string::npos) << cacerts.output;
}

TEST(CertsOnly, PemIsOneBlockPerCertificateAndGarbageIsABug) {
  TempDir dir;
  init_ca(file_store(dir.path()), CaSettings{}, day(2025, 1, 10));
  auto ca = IssuingCa::open(file_store(dir.path()));
  const std::string pem = certificates_pem({ca->issuing_der(), ca->root_der()});
  EXPECT_EQ(pem, ca->chain_pem());
  EXPECT_THROW(certs_only_pkcs7({"not a certificate"}), std::invalid_argument);
  EXPECT_THROW(certificates_pem({""}), std::invalid_argument);
}

}  // namespace
