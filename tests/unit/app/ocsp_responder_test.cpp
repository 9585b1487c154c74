// The OCSP responder's use cases with a real CA, a real database and a settable clock: stored
// responses served as they are, a revocation answered at once, nonces and several certificates
// signed live, unknown and unauthorized, responder certificates renewed before half their days
// and the scheduler's refresh. Responses are read back with `openssl ocsp`.
#include <gtest/gtest.h>

#include <thread>

#include "app/ca/ocsp_responder.hpp"
#include "app/ca/revocation.hpp"
#include "issued_fixture.hpp"

namespace onshi::app {
namespace {

using namespace std::chrono;
using test::read_file;
using test::run;

class OcspResponderTest : public test::IssuedTest {
 protected:
  void SetUp() override {
    IssuedTest::SetUp();
    // The store's epoch is read before every answer, as a node does once per interval.
    env.config.ocsp_cache_check_ms = 0;
  }
  std::filesystem::path file(const std::string& name) const { return env.dir.path() / name; }
  std::string ca_file(const char* name) const { return (env.dir.path() / "ca" / name).string(); }

  // The certificate's PEM for openssl, by 発行番号.
  std::string cert_pem(const std::string& number) {
    const auto der = file(number + ".der");
    std::ofstream(der, std::ios::binary) << current(number).der;
    run("openssl x509 -inform DER -in " + der.string() + " -out " + file(number + ".pem").string());
    return file(number + ".pem").string();
  }
  // `openssl ocsp -reqout` for these certificates (or serials), with extra flags.
  std::string request(const std::string& certs, const std::string& flags = "-no_nonce",
                      const std::string& issuer_file = {}) {
    std::string cmd = "openssl ocsp -issuer ";
    cmd.append(issuer_file.empty() ? ca_file("issuing.crt") : issuer_file).append(" ");
    cmd.append(certs).append(" ").append(flags).append(" -reqout ").append(file("req.der"));
    const auto out = run(cmd);
    EXPECT_TRUE(std::filesystem::exists(file("req.der"))) << out;
    return read_file(file("req.der"));
  }
  // The response as `openssl ocsp -resp_text` prints it, verified against the CA at the clock's
  // time for `certs` (or not verified without).
  std::string shown(const std::string& der, const std::string& certs = {}) {
    std::ofstream(file("resp.der"), std::ios::binary) << der;
    const auto at = duration_cast<seconds>(env.clock.now().time_since_epoch()).count();
    if (certs.empty())
      return run("openssl ocsp -respin " + file("resp.der").string() + " -resp_text -noverify");
    return run("openssl ocsp -respin " + file("resp.der").string() + " -issuer " +
               ca_file("issuing.crt") + " " + certs + " -CAfile " + ca_file("root.crt") +
               " -attime " + std::to_string(at) +
               // The clock of the test is not the machine's, which openssl compares nextUpdate to.
               " -validity_period 31536000 -no_nonce -resp_text");
  }
  int audit_count(const std::string& action) {
    return env.db->read([&](store::ReadTx& tx) {
      store::AuditFilter f;
      f.action_prefix = action;
      return static_cast<int>(tx.audit().audit_entries(f).size());
    });
  }
};

TEST_F(OcspResponderTest, TryLaterUntilTheResponderIsIssuedOnceThenGood) {
  const auto c = issue("1", "o1");
  const auto pem = cert_pem(c[0].number);
  const auto req = request("-cert " + pem);
  EXPECT_EQ(answer_ocsp(env.services, req).outcome, OcspOutcome::try_later);

  EXPECT_EQ(renew_ocsp_responders(env.services), 1);
  EXPECT_EQ(renew_ocsp_responders(env.services), 0) << "valid for more than half its days";
  EXPECT_EQ(audit_count("ocsp.responder_issue"), 1);

  const auto first = answer_ocsp(env.services, req);
  EXPECT_EQ(first.outcome, OcspOutcome::good);
  EXPECT_TRUE(first.cacheable);
  EXPECT_EQ(first.this_update, floor<seconds>(env.clock.now()));
  EXPECT_EQ(first.next_update, first.this_update + hours(env.config.ocsp_validity_hours));
  const auto text = shown(first.der, "-cert " + pem);
  EXPECT_NE(text.find("Response verify OK"), std::string::npos) << text;
  EXPECT_NE(text.find(pem + ": good"), std::string::npos) << text;
  // ECDSA signatures differ each time: the same bytes again are the stored response.
  env.clock.advance(minutes(10));
  EXPECT_EQ(answer_ocsp(env.services, req).der, first.der);
}

TEST_F(OcspResponderTest, ARevocationIsAnsweredAtOnceWithItsReason) {
  const auto c = issue("1", "o2");
  renew_ocsp_responders(env.services);
  const auto pem = cert_pem(c[0].number);
  const auto req = request("-cert " + pem);
  ASSERT_EQ(answer_ocsp(env.services, req).outcome, OcspOutcome::good);
  ASSERT_TRUE(revoke_certificate(env.services, issuer, {c[0].number, "keyCompromise", {}}));
  const auto r = answer_ocsp(env.services, req);
  EXPECT_EQ(r.outcome, OcspOutcome::revoked);
  const auto text = shown(r.der, "-cert " + pem);
  EXPECT_NE(text.find(pem + ": revoked"), std::string::npos) << text;
  EXPECT_NE(text.find("Reason: keyCompromise"), std::string::npos) << text;
  EXPECT_EQ(answer_ocsp(env.services, req).der, r.der) << "and stored in its turn";
}

TEST_F(OcspResponderTest, ARevocationElsewhereReachesTheCacheWithinItsInterval) {
  env.config.ocsp_cache_check_ms = 300;
  const auto c = issue("1", "o7");
  renew_ocsp_responders(env.services);
  const auto req = request("-cert " + cert_pem(c[0].number));
  ASSERT_EQ(answer_ocsp(env.services, req).outcome, OcspOutcome::good);
  const auto started = steady_clock::now();
  ASSERT_TRUE(revoke_certificate(env.services, issuer, {c[0].number, "superseded", {}}));
  // Served from memory until the node next reads the epoch, then never again.
  const auto cached = answer_ocsp(env.services, req).outcome;
  if (steady_clock::now() - started < milliseconds(250)) {
    EXPECT_EQ(cached, OcspOutcome::good);
  }
  std::this_thread::sleep_for(milliseconds(350));
  EXPECT_EQ(answer_ocsp(env.services, req).outcome, OcspOutcome::revoked);
}

TEST_F(OcspResponderTest, NoncesAndSeveralCertificatesAreSignedLive) {
  const auto c = issue("2", "o3");
  renew_ocsp_responders(env.services);
  const auto a = cert_pem(c[0].number);
  const auto b = cert_pem(c[1].number);
  const auto with_nonce = request("-cert " + a, "-nonce");
  const auto r1 = answer_ocsp(env.services, with_nonce);
  EXPECT_EQ(r1.outcome, OcspOutcome::good);
  EXPECT_FALSE(r1.cacheable);
  EXPECT_NE(shown(r1.der).find("OCSP Nonce"), std::string::npos);
  EXPECT_NE(answer_ocsp(env.services, with_nonce).der, r1.der) << "never stored";

  const auto both = answer_ocsp(env.services, request("-cert " + a + " -cert " + b));
  EXPECT_EQ(both.outcome, OcspOutcome::several);
  EXPECT_FALSE(both.cacheable);
  const auto text = shown(both.der, "-cert " + a + " -cert " + b);
  EXPECT_NE(text.find(a + ": good"), std::string::npos) << text;
  EXPECT_NE(text.find(b + ": good"), std::string::npos) << text;
}

TEST_F(OcspResponderTest, UnknownUnauthorizedAndMalformed) {
  issue("1", "o4");
  renew_ocsp_responders(env.services);
  const auto unknown = answer_ocsp(env.services, request("-serial 0x5f3a00112233"));
  EXPECT_EQ(unknown.outcome, OcspOutcome::unknown);
  EXPECT_NE(shown(unknown.der).find("Cert Status: unknown"), std::string::npos);
  EXPECT_EQ(
      answer_ocsp(env.services, request("-serial 0x01", "-no_nonce", ca_file("root.crt"))).outcome,
      OcspOutcome::unauthorized);
  EXPECT_NE(
      shown(
          answer_ocsp(env.services, request("-serial 0x01", "-no_nonce", ca_file("root.crt"))).der)
          .find("unauthorized (6)"),
      std::string::npos);
  const auto bad = answer_ocsp(env.services, "not DER at all");
  EXPECT_EQ(bad.outcome, OcspOutcome::malformed);
  EXPECT_NE(shown(bad.der).find("malformedrequest (1)"), std::string::npos);
  env.config.ocsp_max_certificates = 1;
  EXPECT_EQ(answer_ocsp(env.services, request("-serial 0x01 -serial 0x02")).outcome,
            OcspOutcome::malformed);
}

TEST_F(OcspResponderTest, TheResponderIsRenewedBeforeHalfItsDaysAndResponsesNeverOutliveIt) {
  const auto c = issue("1", "o5");
  renew_ocsp_responders(env.services);
  const auto pem = cert_pem(c[0].number);
  const auto req = request("-cert " + pem);
  const auto before = shown(answer_ocsp(env.services, req).der);
  // 3 days 11 hours of 7: more than half left, nothing renewed; an hour before its end, a
  // response is capped at the responder's notAfter.
  env.clock.advance(hours(24 * 3 + 11));
  EXPECT_EQ(renew_ocsp_responders(env.services), 0);
  env.clock.advance(hours(24 * 3 + 12));
  const auto capped = answer_ocsp(env.services, req);
  EXPECT_LT(capped.next_update, capped.this_update + hours(env.config.ocsp_validity_hours));
  EXPECT_EQ(renew_ocsp_responders(env.services), 1);
  const auto renewed = answer_ocsp(env.services, request("-cert " + pem, "-nonce"));
  const auto text = shown(renewed.der, "-cert " + pem);
  EXPECT_NE(text.find("Response verify OK"), std::string::npos) << text;
  const auto serial_line = [](const std::string& t) {
    const auto at = t.find("Serial Number:", t.find("Certificate:"));
    return t.substr(at, t.find('\n', at + 15) - at);
  };
  EXPECT_NE(serial_line(text), serial_line(before)) << "signed by the new responder";
  EXPECT_EQ(audit_count("ocsp.responder_issue"), 2);
}

TEST_F(OcspResponderTest, TheSchedulerSignsMissingAndStaleResponsesAndKeepsRevokedOnes) {
  const auto c = issue("3", "o6");
  renew_ocsp_responders(env.services);
  ASSERT_TRUE(revoke_certificate(env.services, issuer, {c[2].number, "superseded", {}}));
  EXPECT_EQ(refresh_ocsp_responses(env.services), 3);
  EXPECT_EQ(refresh_ocsp_responses(env.services), 0) << "all fresh";
  const auto pem = cert_pem(c[2].number);
  const auto stored = answer_ocsp(env.services, request("-cert " + pem));
  EXPECT_EQ(stored.outcome, OcspOutcome::revoked);
  EXPECT_EQ(answer_ocsp(env.services, request("-cert " + pem)).der, stored.der);
  // 15 minutes before half of 12 hours: each is signed again.
  env.clock.advance(hours(6) - minutes(14));
  EXPECT_EQ(refresh_ocsp_responses(env.services), 3);
  // A node keeps serving what it holds until that one's refresh time, then the new one, from the
  // store (the same bytes twice: nothing signed on the way).
  EXPECT_EQ(answer_ocsp(env.services, request("-cert " + pem)).der, stored.der);
  env.clock.advance(minutes(15));
  const auto again = answer_ocsp(env.services, request("-cert " + pem));
  EXPECT_NE(again.der, stored.der);
  EXPECT_GT(again.this_update, stored.this_update);
  EXPECT_EQ(answer_ocsp(env.services, request("-cert " + pem)).der, again.der);
}

}  // namespace
}  // namespace onshi::app
