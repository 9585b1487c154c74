// 接続確認 on the use case, with a real CA and a settable clock: a picked-up certificate is
// usable and named; the expiry warning from 90 days before notAfter; expired, 失効, re-enrolled,
// a certificate of this CA the database does not hold (不明), another CA's with our very serial,
// and whatever a client sends instead of a certificate. The https address the plain page links.
#include "app/ca/terminal_certificate_check.hpp"

#include <gtest/gtest.h>

#include "app/ca/est.hpp"
#include "app/ca/revocation.hpp"
#include "issued_fixture.hpp"
#include "pki/issuing_ca.hpp"
#include "pki/serial.hpp"
#include "support/error_of.hpp"

namespace onshi::app {
namespace {

using namespace std::chrono;
using onshi::test::error_of;
using test::read_file;
using test::run;

class TerminalCheckTest : public test::IssuedTest {
 protected:
  // An issued certificate, downloaded (有効) as the vendor's pickup leaves it.
  store::CertificateRecord picked_up(const std::string& key) {
    const auto c = issue("1", key);
    EXPECT_TRUE(
        est_serverkeygen(env.services, {c[0].number, c[0].code, "192.0.2.9"}, "").has_value());
    return current(c[0].number);
  }

  TerminalCertificateCheck check(std::vector<std::string> chain, bool tls = true) {
    auto r = check_terminal_certificate(env.services, {tls, std::move(chain)});
    EXPECT_TRUE(r.has_value()) << error_of(r).key;
    return r.value_or(TerminalCertificateCheck{});
  }

  // A self-signed certificate made by `openssl req -x509` with these extra arguments, DER.
  std::string foreign(const std::string& name, const std::string& args) {
    const auto out = env.dir.path() / (name + ".der");
    const auto said = run(
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null "
        "-days 30 -outform DER -out '" +
        out.string() + "' " + args);
    EXPECT_TRUE(std::filesystem::exists(out)) << said;
    return read_file(out);
  }
};

TEST_F(TerminalCheckTest, APickedUpCertificateIsUsableAndNamed) {
  const auto c = picked_up("t1");
  const auto r = check({c.der});
  EXPECT_EQ(r.verdict, TerminalVerdict::usable);
  EXPECT_TRUE(r.problems.empty()) << r.openssl_error;
  EXPECT_TRUE(r.from_this_ca);
  EXPECT_EQ(r.institution_code, "1310123455");
  EXPECT_EQ(r.institution_name, "テストクリニック");
  EXPECT_EQ(r.common_name, "1310123455-T01");
  EXPECT_EQ(r.terminal, "T01");
  EXPECT_EQ(r.issuance_number, c.issuance_number);
  EXPECT_EQ(r.serial_hex, c.serial_hex);
  EXPECT_EQ(r.not_after, c.not_after);
  EXPECT_EQ(r.days_left, (c.not_after - env.services.now_ms()) / (24LL * 3600 * 1000));
  EXPECT_GT(r.days_left, 1000);
  EXPECT_FALSE(r.expiring_soon);
  ASSERT_TRUE(r.ours.has_value());
  EXPECT_EQ(r.ours->id, c.id);
  EXPECT_FALSE(r.our_issuer.empty());
  EXPECT_EQ(r.issuer, r.our_issuer);
  // The browser sending the CA certificates as well changes nothing.
  EXPECT_EQ(check({c.der, ca->issuing().issuing_der(), ca->issuing().root_der()}).verdict,
            TerminalVerdict::usable);
}

TEST_F(TerminalCheckTest, WarnsFromNinetyDaysBeforeExpiryAndRefusesAfter) {
  const auto c = picked_up("t2");
  const auto at = [&](milliseconds before_expiry) {
    env.clock.set(system_clock::time_point{milliseconds{c.not_after}} - before_expiry);
    return check({c.der});
  };
  const auto ninety = at(days{90});
  EXPECT_EQ(ninety.days_left, 90);
  EXPECT_FALSE(ninety.expiring_soon);
  const auto soon = at(days{90} - minutes{1});
  EXPECT_EQ(soon.days_left, 89);
  EXPECT_TRUE(soon.expiring_soon);
  EXPECT_EQ(soon.verdict, TerminalVerdict::usable);
  EXPECT_EQ(at(hours{1}).days_left, 0);

  const auto expired = at(-seconds{1});
  EXPECT_EQ(expired.verdict, TerminalVerdict::expired);
  EXPECT_EQ(expired.problems, std::vector{pki::ChainProblem::expired});
  EXPECT_EQ(expired.days_left, -1);
  EXPECT_TRUE(expired.ours.has_value()) << "still named: which certificate to renew";
  EXPECT_FALSE(expired.expiring_soon);
}

TEST_F(TerminalCheckTest, ARevokedCertificateSaysSoWithItsRecord) {
  const auto c = picked_up("t3");
  ASSERT_TRUE(revoke_certificate(env.services, issuer, {c.issuance_number, "keyCompromise", {}})
                  .has_value());
  const auto r = check({c.der});
  EXPECT_EQ(r.verdict, TerminalVerdict::revoked);
  EXPECT_TRUE(r.problems.empty()) << "the chain itself still verifies";
  ASSERT_TRUE(r.ours && r.ours->revoked_at);
  EXPECT_EQ(r.ours->revocation_reason, 1);
  EXPECT_EQ(r.issuance_number, c.issuance_number);
}

TEST_F(TerminalCheckTest, AReenrolledCertificateIsUsableButNotTheNewest) {
  const auto c = picked_up("t4");
  const auto cert = env.dir.path() / "t4.der";
  std::ofstream(cert, std::ios::binary) << c.der;
  const auto key = env.dir.path() / "t4-new.key";
  const auto csr = env.dir.path() / "t4.csr";
  run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out '" + key.string() +
      "' && openssl x509 -x509toreq -inform DER -in '" + cert.string() + "' -key '" + key.string() +
      "' | openssl req -outform DER -out '" + csr.string() + "'");
  ASSERT_TRUE(est_simplereenroll(env.services, {{c.der}, true}, read_file(csr), "192.0.2.9"));
  const auto old = check({c.der});
  EXPECT_EQ(old.verdict, TerminalVerdict::usable);
  EXPECT_TRUE(old.renewed_since);
  const auto newer = check({current(c.issuance_number).der});
  EXPECT_EQ(newer.verdict, TerminalVerdict::usable);
  EXPECT_FALSE(newer.renewed_since);
}

TEST_F(TerminalCheckTest, OurCaButNotInTheDatabaseIsUnknown) {
  const auto key = ca->issuing().generate_terminal_key(pki::KeyAlgorithm::ec_p256);
  const auto issued = ca->issuing().issue(
      {"1310123455", "テストクリニック", "T09", "C-99999999-01"}, key.public_key_der, ca->profile(),
      pki::random_serial_hex(), env.clock.now());
  const auto r = check({issued.der});
  EXPECT_EQ(r.verdict, TerminalVerdict::unknown);
  EXPECT_TRUE(r.problems.empty());
  EXPECT_FALSE(r.ours.has_value());
  EXPECT_EQ(r.issuance_number, "C-99999999-01") << "as the certificate says";
  EXPECT_EQ(r.terminal, "T09");
}

TEST_F(TerminalCheckTest, AnotherCasCertificateIsNotOursEvenWithOurSerial) {
  const auto c = picked_up("t5");
  const auto r = check(
      {foreign("same-serial", "-subj '/O=Other/CN=other-client' -set_serial 0x" + c.serial_hex)});
  EXPECT_EQ(r.serial_hex, c.serial_hex);
  EXPECT_EQ(r.verdict, TerminalVerdict::not_ours);
  EXPECT_FALSE(r.from_this_ca);
  EXPECT_FALSE(r.ours.has_value());
  EXPECT_EQ(r.common_name, "other-client");
  EXPECT_EQ(r.issuer, "other-client");
  // Text that could reorder what is around it on the page is not shown.
  const auto bidi = check({foreign("bidi", "-utf8 -subj '/CN=abc\u202Edef'")});
  EXPECT_EQ(bidi.verdict, TerminalVerdict::not_ours);
  EXPECT_EQ(bidi.common_name, "");
  EXPECT_EQ(bidi.issuer, "");
}

TEST_F(TerminalCheckTest, NothingUsableWasSent) {
  EXPECT_EQ(check({}, false).verdict, TerminalVerdict::not_tls);
  EXPECT_EQ(check({}).verdict, TerminalVerdict::no_certificate);
  EXPECT_EQ(check({"garbage"}).verdict, TerminalVerdict::unreadable);
  EXPECT_EQ(check(std::vector<std::string>(10, std::string(70000, '\x30'))).verdict,
            TerminalVerdict::unreadable);
  EXPECT_FALSE(check({"garbage"}).has_certificate);
  // Without a CA nothing can be verified; the plain page still explains https.
  Services without = env.services;
  without.ca = nullptr;
  EXPECT_EQ(error_of(check_terminal_certificate(without, {true, {"x"}})).key,
            "terminal_check_page.no_ca");
  EXPECT_EQ(check_terminal_certificate(without, {false, {}})->verdict, TerminalVerdict::not_tls);
}

TEST_F(TerminalCheckTest, EveryVerdictAndProblemHasItsWords) {
  for (const auto v : kTerminalVerdicts) {
    const auto key = "terminal_check_page.verdict." + std::string(terminal_verdict_key(v));
    EXPECT_TRUE(env.services.messages.has(key)) << key;
  }
  for (const auto p :
       {pki::ChainProblem::other_ca, pki::ChainProblem::expired, pki::ChainProblem::not_yet_valid,
        pki::ChainProblem::wrong_purpose, pki::ChainProblem::other}) {
    const auto key = "terminal_check_page.problem." + std::string(pki::chain_problem_name(p));
    EXPECT_TRUE(env.services.messages.has(key)) << key;
  }
  for (const char* key :
       {"terminal_check_page.title", "terminal_check_page.no_ca",
        "terminal_check_page.status_unknown", "terminal_check_page.days_left",
        "terminal_check_page.expiring_soon", "terminal_check_page.renewed_since"}) {
    EXPECT_TRUE(env.services.messages.has(key)) << key;
  }
}

TEST(TerminalCheckUrl, TheTlsListenersAddressWithTheHostTheBrowserUsedWhenItBindsAll) {
  Config c;
  EXPECT_EQ(terminal_check_https_url(c, "portal.example.jp"), "") << "no TLS listener";
  c.tls_listen = "127.0.0.1:8443";
  EXPECT_EQ(terminal_check_https_url(c, "localhost:8080"), "https://127.0.0.1:8443/terminal-check");
  c.tls_listen = "0.0.0.0:443";
  EXPECT_EQ(terminal_check_https_url(c, "portal.example.jp:8080"),
            "https://portal.example.jp/terminal-check");
  c.tls_listen = "[::]:8443";
  EXPECT_EQ(terminal_check_https_url(c, "[2001:db8::1]:8080"),
            "https://[2001:db8::1]:8443/terminal-check");
  EXPECT_EQ(terminal_check_https_url(c, ""), "");
  EXPECT_EQ(terminal_check_https_url(c, "evil.example/\"><script>"), "");
  EXPECT_EQ(terminal_check_https_url(c, "[zz]"), "");
  c.tls_listen = "[::1]:9443";
  EXPECT_EQ(terminal_check_https_url(c, "ignored"), "https://[::1]:9443/terminal-check");
}

}  // namespace
}  // namespace onshi::app
