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

class TerminalCertificatePageTest : public test::IssuedTest {
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

  // A TLS client certificate our root signed itself (openssl CLI, the CA folder's root key):
  // this CA's, but no terminal's, which are under an issuing CA.
  std::string signed_by_root() {
    const auto k = key_store_config(env.config);
    const auto at = [&](const char* name) { return "'" + (env.dir.path() / name).string() + "'"; };
    std::ofstream(env.dir.path() / "direct.ext")
        << "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
           "extendedKeyUsage=clientAuth\n";
    const auto said =
        run("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null "
            "-subj '/CN=direct' -out " +
            at("direct.csr") + " && openssl x509 -req -in " + at("direct.csr") + " -CA '" +
            (k.dir / "root.crt").string() + "' -CAkey '" + (k.dir / "root.key").string() +
            "' -passin pass:'" + k.passphrase + "' -set_serial 0x77 -days 30 -extfile " +
            at("direct.ext") + " -outform DER -out " + at("direct.der"));
    EXPECT_TRUE(std::filesystem::exists(env.dir.path() / "direct.der")) << said;
    return read_file(env.dir.path() / "direct.der");
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

TEST_F(TerminalCertificatePageTest, APickedUpCertificateIsUsableAndNamed) {
  const auto c = picked_up("t1");
  const auto r = check({c.der});
  EXPECT_EQ(r.verdict, TerminalVerdict::usable);
  EXPECT_EQ(r.chain_problem, pki::ChainProblem::none) << r.openssl_error;
  EXPECT_EQ(r.problem_key, "");
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

TEST_F(TerminalCertificatePageTest, WarnsFromNinetyDaysBeforeExpiryAndRefusesAfter) {
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
  EXPECT_EQ(expired.chain_problem, pki::ChainProblem::expired) << expired.openssl_error;
  EXPECT_EQ(expired.problem_key, "expired");
  EXPECT_TRUE(expired.from_this_ca);
  EXPECT_EQ(expired.days_left, -1);
  EXPECT_TRUE(expired.ours.has_value()) << "still named: which certificate to renew";
  EXPECT_FALSE(expired.expiring_soon);
}

TEST_F(TerminalCertificatePageTest, ARevokedCertificateSaysSoWithItsRecord) {
  const auto c = picked_up("t3");
  ASSERT_TRUE(revoke_certificate(env.services, issuer, {c.issuance_number, "keyCompromise", {}})
                  .has_value());
  const auto r = check({c.der});
  EXPECT_EQ(r.verdict, TerminalVerdict::revoked);
  EXPECT_EQ(r.chain_problem, pki::ChainProblem::none) << "the chain itself still verifies";
  ASSERT_TRUE(r.ours && r.ours->revoked_at);
  EXPECT_EQ(r.ours->revocation_reason, 1);
  EXPECT_EQ(r.issuance_number, c.issuance_number);
}

TEST_F(TerminalCertificatePageTest, AReenrolledCertificateIsUsableButNotTheNewest) {
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

TEST_F(TerminalCertificatePageTest, OurCaButNotInTheDatabaseIsUnknown) {
  const auto key = ca->issuing().generate_terminal_key(pki::KeyAlgorithm::ec_p256);
  const auto issued = ca->issuing().issue(
      {"1310123455", "テストクリニック", "T09", "C-99999999-01"}, key.public_key_der, ca->profile(),
      pki::random_serial_hex(), env.clock.now());
  const auto r = check({issued.der});
  EXPECT_EQ(r.verdict, TerminalVerdict::unknown);
  EXPECT_EQ(r.chain_problem, pki::ChainProblem::none) << r.openssl_error;
  EXPECT_FALSE(r.ours.has_value());
  EXPECT_EQ(r.issuance_number, "C-99999999-01") << "as the certificate says";
  EXPECT_EQ(r.terminal, "T09");
}

TEST_F(TerminalCertificatePageTest, AnotherCasCertificateIsNotOursEvenWithOurSerial) {
  const auto c = picked_up("t5");
  const auto r = check(
      {foreign("same-serial", "-subj '/O=Other/CN=other-client' -set_serial 0x" + c.serial_hex)});
  EXPECT_EQ(r.serial_hex, c.serial_hex);
  EXPECT_EQ(r.verdict, TerminalVerdict::not_ours);
  EXPECT_EQ(r.chain_problem, pki::ChainProblem::unknown_ca);
  EXPECT_EQ(r.problem_key, "other_ca");
  EXPECT_FALSE(r.openssl_error.empty());
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

TEST_F(TerminalCertificatePageTest, TheFirstProblemOpenSslMetDecides) {
  const auto c = picked_up("t6");
  env.clock.set(system_clock::time_point{milliseconds{c.not_before}} - hours{1});
  const auto early = check({c.der});
  EXPECT_EQ(early.verdict, TerminalVerdict::not_yet_valid) << early.openssl_error;
  EXPECT_EQ(early.problem_key, "not_yet_valid");
  // Decades on, the CA certificates have expired before it (OpenSSL says so first): the
  // certificate's own dates make it 期限切れ all the same.
  env.clock.set(system_clock::time_point{milliseconds{c.not_after}} + days{365 * 40});
  const auto late = check({c.der});
  EXPECT_EQ(late.verdict, TerminalVerdict::expired) << late.openssl_error;
  EXPECT_EQ(late.problem_key, "expired");
  EXPECT_NE(late.openssl_error.find("expired"), std::string::npos) << late.openssl_error;
  env.clock.set(system_clock::time_point{milliseconds{c.not_before}} + hours{1});

  // Garbage after the browser's own certificate: nothing to build a path with.
  const auto garbage = check({c.der, "garbage"});
  EXPECT_EQ(garbage.verdict, TerminalVerdict::unverified);
  EXPECT_EQ(garbage.chain_problem, pki::ChainProblem::unreadable);
  EXPECT_EQ(garbage.problem_key, "other");
  EXPECT_TRUE(garbage.ours.has_value()) << "still named";

  // This CA's server certificate leads to our root but is not for TLS clients.
  const auto server =
      ca->issuing().issue_server_certificate({"portal.example.jp"}, {}, env.clock.now());
  ASSERT_TRUE(server.has_value());
  const auto pem = env.dir.path() / "server.pem";
  std::ofstream(pem) << server->certificate_pem;
  const auto server_der = env.dir.path() / "server.der";
  run("openssl x509 -in '" + pem.string() + "' -outform DER -out '" + server_der.string() + "'");
  const auto wrong = check({read_file(server_der)});
  EXPECT_EQ(wrong.verdict, TerminalVerdict::wrong_purpose) << wrong.openssl_error;
  EXPECT_EQ(wrong.problem_key, "wrong_purpose");
  EXPECT_TRUE(wrong.from_this_ca);

  // Signed by our root directly: verified, but no terminal's certificate. The CLI dates it by the
  // real clock.
  const auto direct = signed_by_root();
  env.clock.set(system_clock::now() + minutes{1});
  const auto root = check({direct});
  EXPECT_EQ(root.verdict, TerminalVerdict::not_ours);
  EXPECT_EQ(root.chain_problem, pki::ChainProblem::not_a_terminal) << root.openssl_error;
  EXPECT_EQ(root.problem_key, "not_a_terminal");
  EXPECT_FALSE(root.from_this_ca);
}

TEST_F(TerminalCertificatePageTest, OnlyTheFirstEightCertificatesAreLookedAt) {
  const auto c = picked_up("t7");
  std::vector<std::string> sent(10, foreign("stranger", "-subj '/CN=stranger'"));
  sent.front() = c.der;
  // pki::TrustAnchors refuses more than any path of ours has; the page looks at the first eight.
  const auto r = check(sent);
  EXPECT_EQ(r.verdict, TerminalVerdict::usable) << r.openssl_error;
}

// A DER element: tag, length (up to 64 KiB), content.
std::string tlv(unsigned char tag, const std::string& content) {
  std::string out(1, static_cast<char>(tag));
  const auto n = content.size();
  if (n >= 0x100) {
    out.append({'\x82', static_cast<char>(n >> 8), static_cast<char>(n & 0xff)});
  } else if (n >= 0x80) {
    out.append({'\x81', static_cast<char>(n)});
  } else {
    out.push_back(static_cast<char>(n));
  }
  return out.append(content);
}

TEST_F(TerminalCertificatePageTest, AHugeNameIsCutToItsCodePoints) {
  // Built by hand: the openssl CLI refuses a CN or O longer than RFC 5280's 64 characters, a
  // client need not. Self-signed by name (its signature is never looked at), an EC key's SPKI.
  const auto key = env.dir.path() / "huge-spki.der";
  run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 | openssl pkey -pubout "
      "-outform DER -out '" +
      key.string() + "'");
  std::string value;
  for (int i = 0; i < 600; ++i) value.append("あ");
  const auto attribute = [&value](const char* oid) {
    return tlv(0x31, tlv(0x30, std::string(oid, 5).append(tlv(0x0c, value))));
  };
  const std::string name =
      tlv(0x30, attribute("\x06\x03\x55\x04\x0a").append(attribute("\x06\x03\x55\x04\x03")));
  const std::string algorithm("\x30\x0a\x06\x08\x2a\x86\x48\xce\x3d\x04\x03\x02", 12);
  const std::string tbs = tlv(
      0x30, std::string("\xa0\x03\x02\x01\x02\x02\x01\x07", 8)
                .append(algorithm)
                .append(name)
                .append(tlv(0x30, tlv(0x17, "250101000000Z").append(tlv(0x17, "491231235959Z"))))
                .append(name)
                .append(read_file(key)));
  const auto der =
      tlv(0x30, std::string(tbs).append(algorithm).append(tlv(0x03, std::string(1, '\0'))));

  const auto r = check({der});
  ASSERT_TRUE(r.has_certificate) << "readable";
  EXPECT_EQ(r.verdict, TerminalVerdict::not_ours);
  std::string cut;
  for (int i = 0; i < 128; ++i) cut.append("あ");
  EXPECT_EQ(r.common_name, cut);
  EXPECT_EQ(r.institution_name, cut);
  EXPECT_EQ(r.issuer, cut);
}

TEST_F(TerminalCertificatePageTest, NothingUsableWasSent) {
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

TEST_F(TerminalCertificatePageTest, EveryVerdictAndProblemHasItsWords) {
  for (const auto v : kTerminalVerdicts) {
    const auto key = "terminal_check_page.verdict." + std::string(terminal_verdict_key(v));
    EXPECT_TRUE(env.services.messages.has(key)) << key;
  }
  for (const auto p : kTerminalProblemKeys) {
    const auto key = "terminal_check_page.problem." + std::string(p);
    EXPECT_TRUE(env.services.messages.has(key)) << key;
  }
  for (const char* key :
       {"terminal_check_page.title", "terminal_check_page.no_ca",
        "terminal_check_page.status_unknown", "terminal_check_page.days_left",
        "terminal_check_page.expiring_soon", "terminal_check_page.renewed_since"}) {
    EXPECT_TRUE(env.services.messages.has(key)) << key;
  }
}

TEST(TerminalCertificatePageUrl, TheTlsListenersAddressWithTheHostTheBrowserUsedWhenItBindsAll) {
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
