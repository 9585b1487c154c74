// The 接続確認 use case (app/terminal/terminal_check.hpp) without a network: certificates of a
// CA made here whose OCSP, CRL and caIssuers URLs point at a closed port, so that every step
// before the network runs for real and the network steps fail as an unreachable server does.
// The whole check against a running `onshi serve` is tests/integration/terminal_check.test.mjs.
#include "app/terminal/terminal_check.hpp"

#include <gtest/gtest.h>

#include "app/terminal/terminal_check_steps.hpp"
#include "app_test_env.hpp"
#include "pki/authority.hpp"
#include "pki/http_client.hpp"
#include "pki/issuing_ca.hpp"
#include "pki/serial.hpp"
#include "pki/terminal_credentials.hpp"

namespace {

using namespace onshi;
using app::CheckMark;
using std::chrono::days;
using std::chrono::system_clock;

constexpr const char* kPassword = "terminal-check-pass";
constexpr const char* kClosed = "http://127.0.0.1:1";  // nothing listens on port 1

const app::Messages& messages() {
  static const app::Messages m =
      app::Messages::load(std::filesystem::path(ONSHI_SOURCE_DIR) / "data/messages.ja.toml");
  return m;
}

struct TestCa {
  test::TempDir dir;
  std::unique_ptr<pki::IssuingCa> ca;
  explicit TestCa(system_clock::time_point made) {
    pki::KeyStoreConfig cfg;
    cfg.dir = dir.path();
    cfg.passphrase = "terminal check test CA passphrase";
    pki::init_ca(cfg, {}, made);
    ca = pki::IssuingCa::open(cfg);
  }
  std::string root_pem() const { return pki::certificates_pem({ca->root_der()}); }
  // A PKCS#12 of a terminal certificate issued at `at`.
  std::string pkcs12(system_clock::time_point at, const std::string& terminal = "T01") const {
    pki::TerminalProfile profile;
    profile.ocsp_url = std::string(kClosed) + "/pki/ocsp";
    profile.crl_url = std::string(kClosed) + "/pki/crl/issuing.crl";
    profile.ca_issuers_url = std::string(kClosed) + "/pki/ca/issuing.crt";
    const auto key = ca->generate_terminal_key(pki::KeyAlgorithm::ec_p256);
    const auto cert =
        ca->issue({"1310123455", "医療法人テスト会 接続確認医院", terminal, "C-00000042-01"},
                  key.public_key_der, profile, pki::random_serial_hex(), at);
    return *ca->make_pkcs12(cert.der, key.sealed_private_key, kPassword);
  }
};

class TerminalCheckTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ca_ = std::make_unique<TestCa>(now_ - days(4 * 365));
    other_ = std::make_unique<TestCa>(now_ - days(4 * 365));
  }
  static void TearDownTestSuite() {
    ca_.reset();
    other_.reset();
  }

  static app::TerminalCheckReport check(app::TerminalCheckInput in) {
    in.timeout = std::chrono::milliseconds(2'000);
    return app::check_terminal(messages(), in, now_);
  }
  static app::TerminalCheckInput p12(std::string bytes, std::string password = kPassword) {
    app::TerminalCheckInput in;
    in.pkcs12 = std::move(bytes);
    in.password = std::move(password);
    in.ca_pem = ca_->root_pem();
    return in;
  }
  static const app::CheckLine& step(const app::TerminalCheckReport& r, std::string_view name) {
    for (const auto& l : r.lines)
      if (l.step == name) return l;
    throw std::logic_error("no line " + std::string(name));
  }
  // Every line and the summary say something from the catalogue (a missing key throws).
  static void expect_catalogued(const app::TerminalCheckReport& r) {
    ASSERT_EQ(r.lines.size(), std::size(app::kTerminalCheckSteps));
    for (std::size_t i = 0; i < r.lines.size(); ++i) {
      EXPECT_EQ(r.lines[i].step, app::kTerminalCheckSteps[i]);
      EXPECT_FALSE(messages().format(r.lines[i].key, r.lines[i].args).empty()) << r.lines[i].key;
    }
    EXPECT_FALSE(messages().format(r.summary.key, r.summary.args).empty());
  }

  inline static const system_clock::time_point now_ = system_clock::now();
  inline static std::unique_ptr<TestCa> ca_, other_;
};

TEST_F(TerminalCheckTest, AWrongPasswordFailsTheFirstLineAndSkipsTheRest) {
  const auto r = check(p12(ca_->pkcs12(now_ - days(1)), "not-the-password"));
  expect_catalogued(r);
  EXPECT_EQ(step(r, "open").mark, CheckMark::failed);
  EXPECT_EQ(step(r, "open").key, "terminal_check.open.wrong_password");
  for (const char* s : {"key", "chain", "validity", "ocsp", "crl"}) {
    EXPECT_EQ(step(r, s).mark, CheckMark::skipped) << s;
    EXPECT_EQ(step(r, s).key, "terminal_check.skipped.after_open") << s;
  }
  EXPECT_EQ(step(r, "relying_party").key, "terminal_check.skipped.after_open");
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.connected);
  EXPECT_EQ(r.summary.key, "terminal_check.summary.wrong_password");
  EXPECT_NE(messages().get(r.summary.key).find("取得したときに設定したパスワード"),
            std::string::npos);
}

TEST_F(TerminalCheckTest, BytesThatAreNoPkcs12AskForThePickupFile) {
  const auto r = check(p12(ca_->root_pem()));
  EXPECT_EQ(step(r, "open").key, "terminal_check.open.not_pkcs12");
  EXPECT_EQ(r.summary.key, "terminal_check.summary.open_failed");
}

// Before the network everything passes; with neither OCSP nor CRL answering the status is not
// known, which fails the check (a relying party would refuse), and says so.
TEST_F(TerminalCheckTest, AGoodFileWithoutAnyResponderFailsOnlyOnTheStatus) {
  const auto r = check(p12(ca_->pkcs12(now_ - days(1))));
  expect_catalogued(r);
  EXPECT_EQ(step(r, "open").mark, CheckMark::ok);
  ASSERT_TRUE(r.identity);
  EXPECT_EQ(step(r, "open").args,
            (std::vector<std::string>{"1310123455-T01", "医療法人テスト会 接続確認医院"}));
  EXPECT_EQ(step(r, "key").mark, CheckMark::ok) << step(r, "open").key;
  EXPECT_EQ(step(r, "key").args, std::vector<std::string>{"ECDSA P-256"});
  EXPECT_EQ(step(r, "chain").mark, CheckMark::ok) << step(r, "chain").key;
  EXPECT_EQ(step(r, "chain").args,
            std::vector<std::string>{"onshi Issuing CA G1 → onshi Root CA G1"});
  EXPECT_EQ(step(r, "validity").mark, CheckMark::ok);
  EXPECT_EQ(step(r, "ocsp").mark, CheckMark::warning);
  EXPECT_EQ(step(r, "ocsp").key, "terminal_check.ocsp.unavailable");
  EXPECT_EQ(step(r, "crl").mark, CheckMark::failed);
  EXPECT_EQ(step(r, "crl").key, "terminal_check.crl.none");
  // No --url: not skipped but a warning that the connection was not tried, and how to try it.
  EXPECT_EQ(step(r, "relying_party").mark, CheckMark::warning);
  EXPECT_EQ(step(r, "relying_party").key, "terminal_check.relying_party.not_tried");
  EXPECT_NE(messages().get(step(r, "relying_party").key).find("--url https://"), std::string::npos);
  EXPECT_FALSE(r.connected);
  EXPECT_EQ(r.summary.key, "terminal_check.summary.status_unknown");
  EXPECT_FALSE(r.ok());
}

// The issuing CA alone (as in the .p12 and beside root.crt on the portal) is no root to trust:
// the line says that the root is missing and where to get it, not that there is no CA.
TEST_F(TerminalCheckTest, ACaFileOfTheIssuingCaAloneAsksForTheRoot) {
  auto in = p12(ca_->pkcs12(now_ - days(1)));
  in.ca_pem = pki::certificates_pem({ca_->ca->issuing_der()});
  const auto r = check(in);
  expect_catalogued(r);
  EXPECT_EQ(step(r, "open").mark, CheckMark::ok);
  EXPECT_EQ(step(r, "chain").mark, CheckMark::failed);
  EXPECT_EQ(step(r, "chain").key, "terminal_check.chain.no_root");
  EXPECT_EQ(step(r, "chain").args, std::vector<std::string>{"onshi Issuing CA G1"});
  const std::string said = messages().format(step(r, "chain").key, step(r, "chain").args);
  EXPECT_NE(said.find("ルート CA（自己署名）の証明書がありません"), std::string::npos) << said;
  EXPECT_NE(said.find("/pki/ca/root.crt"), std::string::npos) << said;
  EXPECT_EQ(said.find("CA の証明書がありません"), std::string::npos) << said;
  EXPECT_EQ(r.summary.key, "terminal_check.summary.no_root");
  EXPECT_FALSE(r.ok());

  // A file of no certificate at all is still said as such.
  in.ca_pem = "not a certificate";
  const auto none = check(in);
  EXPECT_EQ(step(none, "chain").key, "terminal_check.chain.bad_ca");
  EXPECT_EQ(none.summary.key, "terminal_check.summary.no_root");
}

TEST_F(TerminalCheckTest, ACertificateOfAnotherCaFailsTheChainAndSaysWrongFile) {
  auto in = p12(other_->pkcs12(now_ - days(1)));
  in.url = "https://127.0.0.1:1";
  const auto r = check(in);
  expect_catalogued(r);
  EXPECT_EQ(step(r, "open").mark, CheckMark::ok);
  EXPECT_EQ(step(r, "chain").mark, CheckMark::failed);
  EXPECT_EQ(step(r, "chain").key, "terminal_check.chain.unknown_ca");
  for (const char* s : {"ocsp", "crl", "relying_party"})
    EXPECT_EQ(step(r, s).key, "terminal_check.skipped.after_chain") << s;
  EXPECT_EQ(r.summary.key, "terminal_check.summary.wrong_ca");
}

TEST_F(TerminalCheckTest, ALoneCertificateWhoseIssuerCannotBeFetchedSaysSoNotAnotherCa) {
  // The certificate alone (no issuing CA in the file), its AIA naming a port nothing listens on.
  const auto opened = pki::open_pkcs12(ca_->pkcs12(now_ - days(1)), kPassword);
  ASSERT_TRUE(opened.has_value());
  app::TerminalCheckInput in;
  in.cert_bytes = opened->cert_pem;
  in.key_bytes = opened->key_pem;
  in.ca_pem = ca_->root_pem();
  const auto r = check(in);
  expect_catalogued(r);
  EXPECT_EQ(step(r, "key").mark, CheckMark::ok) << step(r, "open").key;
  EXPECT_EQ(step(r, "chain").key, "terminal_check.chain.issuer_missing");
  EXPECT_EQ(r.summary.key, "terminal_check.summary.issuer_missing");
}

TEST_F(TerminalCheckTest, AnExpiredCertificateVerifiesItsChainButFailsItsValidity) {
  // 39 months of validity from 40 months ago.
  const auto r = check(p12(ca_->pkcs12(now_ - days(40 * 31))));
  expect_catalogued(r);
  EXPECT_EQ(step(r, "chain").mark, CheckMark::ok) << step(r, "chain").key;
  EXPECT_EQ(step(r, "validity").mark, CheckMark::failed);
  EXPECT_EQ(step(r, "validity").key, "terminal_check.validity.expired");
  EXPECT_EQ(step(r, "ocsp").key, "terminal_check.skipped.outside_validity");
  EXPECT_EQ(r.summary.key, "terminal_check.summary.expired");
  EXPECT_NE(messages().get(r.summary.key).find("更新"), std::string::npos);
}

TEST_F(TerminalCheckTest, UnderNinetyDaysLeftIsAWarningWithTheDaysLeft) {
  // Issued 1150 days ago, 39 months (about 1187 days) of validity: about 37 days left.
  const auto r = check(p12(ca_->pkcs12(now_ - days(1150))));
  const auto& v = step(r, "validity");
  EXPECT_EQ(v.mark, CheckMark::warning);
  EXPECT_EQ(v.key, "terminal_check.validity.soon");
  ASSERT_EQ(v.args.size(), 2u);
  const int left = std::stoi(v.args[1]);
  EXPECT_GT(left, 0);
  EXPECT_LT(left, app::kValidityWarningDays);
  const auto far = check(p12(ca_->pkcs12(now_ - days(1))));
  EXPECT_EQ(step(far, "validity").mark, CheckMark::ok);
  EXPECT_GT(std::stoi(step(far, "validity").args[1]), 1000);
}

TEST_F(TerminalCheckTest, AKeyOfAnotherTerminalFailsTheKeyLineAndSkipsTheConnection) {
  const auto mine = *pki::open_pkcs12(ca_->pkcs12(now_ - days(1)), kPassword);
  const auto other = *pki::open_pkcs12(ca_->pkcs12(now_ - days(1), "T02"), kPassword);
  app::TerminalCheckInput in;
  in.cert_bytes = mine.cert_pem + pki::certificates_pem(mine.chain_der);
  in.key_bytes = other.key_pem;
  in.ca_pem = ca_->root_pem();
  in.url = "https://127.0.0.1:1";
  const auto r = check(in);
  expect_catalogued(r);
  EXPECT_EQ(step(r, "open").key, "terminal_check.open.ok_pem");
  EXPECT_EQ(step(r, "key").mark, CheckMark::failed);
  EXPECT_EQ(step(r, "key").key, "terminal_check.key.mismatch");
  EXPECT_EQ(step(r, "chain").mark, CheckMark::ok) << "the chain needs the certificate only";
  EXPECT_EQ(step(r, "relying_party").key, "terminal_check.skipped.after_key");
  EXPECT_EQ(r.summary.key, "terminal_check.summary.key_mismatch");
}

TEST_F(TerminalCheckTest, ARelyingPartyThatIsNotThereIsUnreachable) {
  auto in = p12(ca_->pkcs12(now_ - days(1)));
  in.url = "https://127.0.0.1:1";
  const auto r = check(in);
  EXPECT_EQ(step(r, "relying_party").mark, CheckMark::failed);
  EXPECT_EQ(step(r, "relying_party").key, "terminal_check.relying_party.connect");
  EXPECT_EQ(step(r, "relying_party").args, std::vector<std::string>{"127.0.0.1:1"});
  in.url = "http://127.0.0.1:1";
  EXPECT_EQ(step(check(in), "relying_party").key, "terminal_check.relying_party.bad_url");
}

// What `onshi relying-party` answers (camelCase JSON; refusals {"result", "message"}), read into
// the last line without a socket.
TEST_F(TerminalCheckTest, TheRelyingPartysAnswerIsReadIntoTheLastLine) {
  const auto creds = *pki::open_pkcs12(ca_->pkcs12(now_ - days(1)), kPassword);
  const auto in = p12("");
  app::terminal_check::State s{messages(), in, now_};
  s.identity = pki::describe_certificate(creds.cert_der);
  ASSERT_TRUE(s.identity);
  const std::string url = "https://rp.example:8443/whoami";
  const auto answer = [&](int status, std::string body) {
    pki::HttpResponse r;
    r.status = status;
    r.content_type = "application/json";
    r.body = std::move(body);
    r.tls_version = "TLSv1.3";
    return app::terminal_check::answer_line(s, url, r);
  };
  const auto ok = answer(200, R"({"result":"ok","institutionCode":"1310123455","terminal":"T01",)"
                              R"("serial":")" +
                                  s.identity->serial_hex + R"("})");
  EXPECT_EQ(ok.mark, CheckMark::ok);
  EXPECT_EQ(ok.key, "terminal_check.relying_party.ok");
  EXPECT_EQ(ok.args, (std::vector<std::string>{"rp.example:8443", "1310123455 T01"}));

  const auto other = answer(200, R"({"result":"ok","serial":"0badc0de"})");
  EXPECT_EQ(other.mark, CheckMark::failed);
  EXPECT_EQ(other.key, "terminal_check.relying_party.other_certificate");

  // Any other https server answering 200 with JSON is no relying party vouching for this
  // certificate: "result":"ok" and the serial are both needed.
  const std::string mine = R"("serial":")" + s.identity->serial_hex + R"(")";
  for (const std::string& body :
       {std::string("{}"), std::string(R"({"status":"up","version":"1.2"})"),
        std::string(R"({"result":"ok"})"), "{" + mine + "}",
        std::string(R"({"result":"revoked",)").append(mine).append("}"),
        std::string(R"({"result":"ok","serial":""})"),
        std::string(R"({"result":true,)").append(mine).append("}")}) {
    const auto l = answer(200, body);
    EXPECT_EQ(l.mark, CheckMark::failed) << body;
    EXPECT_EQ(l.key, "terminal_check.relying_party.not_relying_party") << body;
    EXPECT_EQ(l.args, std::vector<std::string>{"rp.example:8443"}) << body;
  }

  const auto refused =
      answer(403, R"({"result":"revoked","message":"この電子証明書は失効しています。"})");
  EXPECT_EQ(refused.mark, CheckMark::failed);
  EXPECT_EQ(refused.key, "terminal_check.relying_party.refused");
  EXPECT_EQ(refused.args,
            (std::vector<std::string>{"rp.example:8443", "この電子証明書は失効しています。"}));
  EXPECT_EQ(refused.detail[0], (std::pair<std::string, std::string>{"result", "revoked"}));

  EXPECT_EQ(answer(502, "<html>Bad Gateway</html>").key, "terminal_check.relying_party.status");
  EXPECT_EQ(answer(502, "<html>Bad Gateway</html>").args,
            (std::vector<std::string>{"rp.example:8443", "502"}));
  EXPECT_EQ(answer(200, "hello").key, "terminal_check.relying_party.not_json");
}

// A hostile relying party writes escape sequences into its refusal: they are not printed.
TEST_F(TerminalCheckTest, ControlCharactersFromTheNetworkAreStripped) {
  const auto creds = *pki::open_pkcs12(ca_->pkcs12(now_ - days(1)), kPassword);
  const auto in = p12("");
  app::terminal_check::State s{messages(), in, now_};
  s.identity = pki::describe_certificate(creds.cert_der);
  ASSERT_TRUE(s.identity);
  pki::HttpResponse r;
  r.status = 403;
  // ESC ] title BEL, ESC [2J (clear), a C1 CSI (U+009B), DEL, and a bidi override.
  r.body = R"({"result":"revoked\u001b[31m","message":"\u001b]0;pwned\u0007\u001b[2J失効\u009b31m)"
           R"(して\u007fいま\u202eす。\n次へ"})";
  const auto l = app::terminal_check::answer_line(s, "https://rp.example/whoami", r);
  EXPECT_EQ(l.key, "terminal_check.relying_party.refused");
  ASSERT_EQ(l.args.size(), 2u);
  EXPECT_EQ(l.args[1], "]0;pwned[2J失効31mしています。 次へ");
  EXPECT_EQ(l.detail[0], (std::pair<std::string, std::string>{"result", "revoked[31m"}));
  for (const auto& [k, v] : l.detail) {
    EXPECT_EQ(v.find('\x1b'), std::string::npos) << k;
    EXPECT_EQ(v.find('\x07'), std::string::npos) << k;
  }

  // 200 with this certificate's serial: the institution code and terminal are printed too.
  r.status = 200;
  r.body = R"({"result":"ok","institutionCode":"1310123455\u001b[8m","terminal":"T01\r\u009b",)"
           R"("serial":")" +
           s.identity->serial_hex + R"("})";
  const auto ok = app::terminal_check::answer_line(s, "https://rp.example/whoami", r);
  EXPECT_EQ(ok.mark, CheckMark::ok);
  EXPECT_EQ(ok.args, (std::vector<std::string>{"rp.example", "1310123455[8m T01 "}));
}

}  // namespace
