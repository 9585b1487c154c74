// The TLS certificate of onshi serve itself: serverAuth, the names in subjectAltName, and a real
// handshake between openssl s_server and s_client that checks the host name against the root.
#include "pki/server_certificate.hpp"

#include <gtest/gtest.h>

#include <random>

#include "pki/issuing_ca.hpp"
#include "pki_test_support.hpp"
#include "support/error_of.hpp"

namespace {

using namespace onshi::pki;
using namespace onshi::pki::test;
using onshi::test::error_of;

TEST(ServerNames, HostNamesAndAddressesAreCheckedAsTyped) {
  EXPECT_TRUE(is_dns_host_name("localhost"));
  EXPECT_TRUE(is_dns_host_name("portal.onshi.example"));
  EXPECT_TRUE(is_dns_host_name("a-1.b2"));
  for (const auto* bad : {"", "-a.example", "a-.example", "a..example", "a.example.", "*.example",
                          "a_b.example", "ポータル.example", "a example"}) {
    EXPECT_FALSE(is_dns_host_name(bad)) << bad;
  }
  EXPECT_FALSE(is_dns_host_name(std::string(64, 'a') + ".example"));
  EXPECT_EQ(ip_address_octets("127.0.0.1"), std::string("\x7f\0\0\x01", 4));
  EXPECT_EQ(ip_address_octets("::1").size(), 16u);
  EXPECT_TRUE(ip_address_octets("127.0.0.256").empty());
  EXPECT_TRUE(ip_address_octets("localhost").empty());
}

class ServerCertificateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    init_ca(file_store(dir_.path()), CaSettings{}, std::chrono::system_clock::now());
    ca_ = IssuingCa::open(file_store(dir_.path()));
  }
  TempDir dir_;
  std::unique_ptr<IssuingCa> ca_;
};

TEST_F(ServerCertificateTest, RefusesWhatIsNoName) {
  const auto now = std::chrono::system_clock::now();
  EXPECT_EQ(error_of(ca_->issue_server_certificate({}, {}, now)), ServerNameError::no_names);
  EXPECT_EQ(error_of(ca_->issue_server_certificate({"bad name"}, {}, now)),
            ServerNameError::bad_dns_name);
  EXPECT_EQ(error_of(ca_->issue_server_certificate({"localhost"}, {"1.2.3"}, now)),
            ServerNameError::bad_ip_address);
}

TEST_F(ServerCertificateTest, OpensslVerifiesItAndCompletesAHandshakeByName) {
  auto issued = ca_->issue_server_certificate(
      {"localhost", "portal.onshi.test"}, {"127.0.0.1", "::1"}, std::chrono::system_clock::now());
  ASSERT_TRUE(issued.has_value());
  // server.crt is what TLS sends: the server's certificate, then the issuing CA's.
  EXPECT_TRUE(issued->chain_pem.starts_with(issued->certificate_pem));
  EXPECT_EQ(issued->chain_pem.substr(issued->certificate_pem.size()),
            read_text(dir_.path() / "issuing.crt"));
  EXPECT_TRUE(issued->private_key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
  const fs::path crt = dir_.path() / "server.crt";
  const fs::path key = dir_.path() / "server.key";
  const fs::path leaf = dir_.path() / "leaf.pem";
  write_text(crt, issued->chain_pem);
  write_text(key, issued->private_key_pem);
  write_text(leaf, issued->certificate_pem);
  const fs::path root = dir_.path() / "root.crt";
  const fs::path issuing = dir_.path() / "issuing.crt";

  const auto text =
      run("openssl x509 -noout -ext subjectAltName,extendedKeyUsage,basicConstraints -in " +
          leaf.string() + " 2>&1");
  ASSERT_EQ(text.status, 0) << text.output;
  EXPECT_NE(text.output.find("DNS:localhost, DNS:portal.onshi.test, IP Address:127.0.0.1, "
                             "IP Address:0:0:0:0:0:0:0:1"),
            std::string::npos)
      << text.output;
  EXPECT_NE(text.output.find("TLS Web Server Authentication"), std::string::npos) << text.output;
  EXPECT_EQ(text.output.find("Client Authentication"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("CA:FALSE"), std::string::npos) << text.output;
  const auto verified =
      run("openssl verify -x509_strict -purpose sslserver -CAfile " + root.string() +
          " -untrusted " + issuing.string() + " " + leaf.string() + " 2>&1");
  EXPECT_EQ(verified.status, 0) << verified.output;
  // Not a client certificate: a terminal could not pass it off as one.
  const auto as_client = run("openssl verify -purpose sslclient -CAfile " + root.string() +
                             " -untrusted " + issuing.string() + " " + leaf.string() + " 2>&1");
  EXPECT_NE(as_client.status, 0) << as_client.output;

  // A real handshake on loopback: s_server sends the leaf and the issuing CA (its -cert reads the
  // first certificate of a file only, hence -cert_chain), s_client trusts only the root and
  // checks the host name. Each side is bounded by timeout, so a refused handshake
  // cannot hang the test.
  std::random_device rd;
  const auto handshake_as = [&](const std::string& host) {
    const std::string port = std::to_string(20000 + rd() % 20000);
    return run("timeout 15 openssl s_server -quiet -accept 127.0.0.1:" + port + " -cert " +
               leaf.string() + " -cert_chain " + issuing.string() + " -key " + key.string() +
               " -naccept 1 >/dev/null 2>&1 & sleep 0.5; echo Q | timeout 10 openssl s_client "
               "-connect 127.0.0.1:" +
               port + " -servername " + host + " -verify_hostname " + host +
               " -verify_return_error -CAfile " + root.string() + " 2>&1; wait");
  };
  const auto good = handshake_as("localhost");
  EXPECT_NE(good.output.find("Verify return code: 0 (ok)"), std::string::npos) << good.output;
  const auto wrong = handshake_as("other.example");
  EXPECT_EQ(wrong.output.find("Verify return code: 0 (ok)"), std::string::npos) << wrong.output;
  EXPECT_NE(wrong.output.find("hostname mismatch"), std::string::npos) << wrong.output;
}

}  // namespace
