// The 接続確認's verdict when one of OCSP and the CRLs answers and the other does not: a CRL the
// test CA signs, served on loopback (tests/unit/pki/http_test_server.hpp), and an OCSP responder
// at a closed port or not named in the certificate at all. The relying party would fall back to
// the CRL, but whether the terminal reaches the responder was not shown: no pass, exit status 3.
#include <gtest/gtest.h>

#include "app/terminal/terminal_check.hpp"
#include "app_test_env.hpp"
#include "pki/authority.hpp"
#include "pki/crl.hpp"
#include "pki/issuing_ca.hpp"
#include "pki/serial.hpp"
#include "pki/terminal_credentials.hpp"
#include "unit/pki/http_test_server.hpp"

namespace {

using namespace onshi;
using app::CheckMark;
using std::chrono::system_clock;
using namespace std::chrono_literals;

constexpr const char* kPassword = "terminal-status-pass";

const app::Messages& messages() {
  static const app::Messages m =
      app::Messages::load(std::filesystem::path(ONSHI_SOURCE_DIR) / "data/messages.ja.toml");
  return m;
}

class TerminalCheckStatusTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<test::TempDir>();
    pki::KeyStoreConfig cfg;
    cfg.dir = dir_->path();
    cfg.passphrase = "terminal check status test CA passphrase";
    pki::init_ca(cfg, {}, system_clock::now() - 24h);
    ca_ = pki::IssuingCa::open(cfg);
    server_ = std::make_unique<pki::test::HttpTestServer>();
    server_->handle([](const pki::test::HttpExchange& ex) {
      if (ex.path != "/issuing.crl") return pki::test::HttpAnswer{404, "text/plain", "none", "", 0};
      pki::CrlFields f;
      f.number = 1;
      f.this_update = system_clock::now() - 1min;
      f.next_update = system_clock::now() + 1h;
      f.distribution_point = server_->url("/issuing.crl");
      pki::CrlBuilder builder(*ca_, ca_->generations().front().key_id_hex, f);
      return pki::test::HttpAnswer{200, "application/pkix-crl", builder.sign(), "", 0};
    });
  }
  static void TearDownTestSuite() {
    server_.reset();
    ca_.reset();
    dir_.reset();
  }

  // The check of a PKCS#12 whose certificate names `ocsp_url` (empty: none) and the served CRL.
  static app::TerminalCheckReport check_with_ocsp(const std::string& ocsp_url) {
    pki::TerminalProfile profile;
    profile.ocsp_url = ocsp_url;
    profile.crl_url = server_->url("/issuing.crl");
    const auto key = ca_->generate_terminal_key(pki::KeyAlgorithm::ec_p256);
    const auto cert =
        ca_->issue({"1310123455", "医療法人テスト会 失効確認医院", "T01", "C-00000043-01"},
                   key.public_key_der, profile, pki::random_serial_hex(), system_clock::now() - 1h);
    app::TerminalCheckInput in;
    in.pkcs12 = *ca_->make_pkcs12(cert.der, key.sealed_private_key, kPassword);
    in.password = kPassword;
    in.ca_pem = pki::certificates_pem({ca_->root_der()});
    in.timeout = 2'000ms;
    return app::check_terminal(messages(), in, system_clock::now());
  }
  static const app::CheckLine& step(const app::TerminalCheckReport& r, std::string_view name) {
    for (const auto& l : r.lines)
      if (l.step == name) return l;
    throw std::logic_error("no line " + std::string(name));
  }

  inline static std::unique_ptr<test::TempDir> dir_;
  inline static std::unique_ptr<pki::IssuingCa> ca_;
  inline static std::unique_ptr<pki::test::HttpTestServer> server_;
};

TEST_F(TerminalCheckStatusTest, AnUnansweredResponderWithAGoodCrlIsNoPass) {
  const auto r = check_with_ocsp("http://127.0.0.1:1/ocsp");  // nothing listens on port 1
  EXPECT_EQ(step(r, "chain").mark, CheckMark::ok) << step(r, "chain").key;
  EXPECT_EQ(step(r, "ocsp").mark, CheckMark::warning);
  EXPECT_EQ(step(r, "ocsp").key, "terminal_check.ocsp.unavailable");
  EXPECT_EQ(step(r, "crl").mark, CheckMark::ok) << step(r, "crl").key;
  EXPECT_EQ(step(r, "crl").key, "terminal_check.crl.good");
  EXPECT_TRUE(r.ok()) << "nothing failed";
  EXPECT_FALSE(r.status_checked);
  EXPECT_EQ(r.summary.mark, CheckMark::warning);
  EXPECT_EQ(r.summary.key, "terminal_check.summary.ocsp_unavailable");
  EXPECT_EQ(r.exit_status(), 3);
  // What is wrong, what to do, and (no --url here) that the connection was not tried either.
  const std::string said = messages().format(r.summary.key, r.summary.args);
  EXPECT_NE(said.find("OCSP レスポンダから応答がなく"), std::string::npos) << said;
  EXPECT_NE(said.find("プロキシやファイアウォール"), std::string::npos) << said;
  EXPECT_NE(said.find(messages().get("terminal_check.summary.not_connected_too")),
            std::string::npos)
      << said;
  EXPECT_EQ(said.find("利用できます"), std::string::npos) << said;

  // Had a relying party answered, the one unanswered line would still keep it from 0.
  app::TerminalCheckReport connected = r;
  connected.connected = true;
  EXPECT_EQ(connected.exit_status(), 3);
  connected.status_checked = true;
  EXPECT_EQ(connected.exit_status(), 0);
}

TEST_F(TerminalCheckStatusTest, ACertificateNamingNoResponderIsNoPassEither) {
  const auto r = check_with_ocsp("");
  EXPECT_EQ(step(r, "ocsp").mark, CheckMark::warning);
  EXPECT_EQ(step(r, "ocsp").key, "terminal_check.ocsp.no_url");
  EXPECT_EQ(step(r, "crl").mark, CheckMark::ok) << step(r, "crl").key;
  EXPECT_TRUE(r.ok());
  EXPECT_FALSE(r.status_checked);
  EXPECT_EQ(r.summary.key, "terminal_check.summary.ocsp_no_url");
  EXPECT_EQ(r.exit_status(), 3);
  const std::string said = messages().format(r.summary.key, r.summary.args);
  EXPECT_NE(said.find("OCSP レスポンダの URL がない"), std::string::npos) << said;
}

TEST_F(TerminalCheckStatusTest, EveryUncheckedStatusHasItsSummary) {
  for (const char* s : {"ocsp_unavailable", "ocsp_no_url", "crl_unavailable", "crl_no_url"}) {
    const std::string key = "terminal_check.summary." + std::string(s);
    ASSERT_TRUE(messages().has(key)) << key;
    EXPECT_EQ(messages().format(key, {"X"}).back(), 'X') << key << ": {0} ends the sentence";
  }
}

}  // namespace
