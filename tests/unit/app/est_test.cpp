// EST on the use cases, with a real CA and a settable clock: enrolment with the letter's pair
// (an unused generated key replaced by the terminal's, a CSR's certificate again for its own key,
// another key refused), server key generation, and re-enrolment by the current certificate with
// everything it refuses; nothing half-issued after a refusal. The openssl CLI reads the answers.
#include "app/ca/est.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "app/ca/issuance.hpp"
#include "app/ca/renewal_overlap.hpp"
#include "app/core/outbox.hpp"
#include "issued_fixture.hpp"
#include "pki/est.hpp"
#include "support/error_of.hpp"

namespace onshi::app {
namespace {

using onshi::test::error_of;
using namespace std::chrono;

using test::Issued;
using test::read_file;
using test::run;

class EstTest : public test::IssuedTest {
 protected:
  PickupAttempt pair(const Issued& i) { return {i.number, i.code, "192.0.2.20"}; }

  std::vector<store::CertificateRecord> generations(const std::string& number) {
    return env.db->read(
        [&](store::ReadTx& tx) { return tx.certificates().generations_of(number); });
  }
  std::vector<store::CertificateDownload> downloads(const store::CertificateRecord& c) {
    return env.db->read([&](store::ReadTx& tx) { return tx.certificates().downloads_of(c.id); });
  }
  std::size_t audits(const std::string& action, const std::string& subject) {
    return env.db
        ->read([&](store::ReadTx& tx) {
          return tx.audit().audit_entries({"", action, subject, 0, 0, 0, 100});
        })
        .size();
  }

  std::filesystem::path file(const std::string& name, std::string_view bytes) {
    const auto p = env.dir.path() / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }

  // A new P-256 key `name`.key and a DER request for it; `how` makes the request from the key
  // (`openssl req -new -subj ...` or `openssl x509 -x509toreq -in CERT`).
  std::string csr(const std::string& name,
                  const std::string& how = "openssl req -new -subj /CN=t") {
    const auto key = env.dir.path() / (name + ".key");
    const auto out = env.dir.path() / (name + ".csr");
    run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out '" + key.string() +
        "'");
    run(how + " -key '" + key.string() + "' | openssl req -outform DER -out '" + out.string() +
        "'");
    return read_file(out);
  }
  // A request for a new key with the subject of `c`, as docs/vendor-guide.md makes it.
  std::string renewal_csr(const std::string& name, const store::CertificateRecord& c) {
    const auto cert = file(name + ".current.der", c.der);
    return csr(name, "openssl x509 -x509toreq -inform DER -in '" + cert.string() + "'");
  }

  // The public key of a PKCS#7 answer's certificate and of a request, as openssl prints them.
  std::string pubkey_of_pkcs7(const std::string& p7, const std::string& name) {
    const auto f = file(name + ".p7", p7);
    auto key = run("openssl pkcs7 -inform DER -print_certs -in '" + f.string() +
                   "' | openssl x509 -noout -pubkey");
    EXPECT_TRUE(key.starts_with("-----BEGIN PUBLIC KEY-----")) << key;
    return key;
  }
  std::string pubkey_of_csr(const std::string& der, const std::string& name) {
    const auto f = file(name + ".req", der);
    auto key = run("openssl req -inform DER -noout -pubkey -in '" + f.string() + "'");
    EXPECT_TRUE(key.starts_with("-----BEGIN PUBLIC KEY-----")) << key;
    return key;
  }

  EstPeer peer_of(const store::CertificateRecord& c) { return {{c.der}, true}; }
};

TEST_F(EstTest, CacertsHoldsTheTwoCaCertificatesAndCsrattrsTheProfilesKey) {
  auto p7 = est_cacerts(env.services);
  ASSERT_TRUE(p7.has_value());
  const auto printed = run("openssl pkcs7 -inform DER -print_certs -noout -in '" +
                           file("ca.p7", *p7).string() + "'");
  EXPECT_NE(printed.find("CN = onshi Issuing CA G1"), std::string::npos) << printed;
  EXPECT_NE(printed.find("CN = onshi Root CA G1"), std::string::npos) << printed;
  auto attrs = est_csrattrs(env.services);
  ASSERT_TRUE(attrs.has_value());
  const auto parsed =
      run("openssl asn1parse -inform DER -in '" + file("a.der", *attrs).string() + "'");
  EXPECT_NE(parsed.find(":prime256v1"), std::string::npos) << parsed;
  EXPECT_NE(parsed.find(":ecdsa-with-SHA256"), std::string::npos) << parsed;

  Services none = env.services;
  none.ca = nullptr;
  EXPECT_EQ(error_of(est_cacerts(none)).key, "pickup.unavailable");
  EXPECT_EQ(error_of(est_csrattrs(none)).code, FailureCode::unavailable);
}

TEST_F(EstTest, EnrolmentReplacesAnUnusedGeneratedKeyAndMayBeRepeatedForTheSameKeyOnly) {
  const auto c = issue("1", "e1");
  const auto first = current(c[0].number);
  const auto request = csr("e1");
  const auto mails = pending_mail_count(env.services);
  auto enrolled = est_simpleenroll(env.services, pair(c[0]), request);
  ASSERT_TRUE(enrolled.has_value()) << error_of(enrolled).key;
  EXPECT_EQ(pubkey_of_pkcs7(enrolled->pkcs7_der, "e1"), pubkey_of_csr(request, "e1"));
  const auto now = current(c[0].number);
  EXPECT_EQ(now.serial_hex, enrolled->certificate.serial_hex);
  EXPECT_EQ(now.generation, 2);
  EXPECT_EQ(now.key_source, store::KeySource::csr);
  EXPECT_EQ(now.subject, first.subject);
  ASSERT_EQ(downloads(now).size(), 1u);
  EXPECT_EQ(downloads(now)[0].what, "est-enroll");
  EXPECT_EQ(downloads(now)[0].client_address, "192.0.2.20");
  EXPECT_GT(pending_mail_count(env.services), mails);
  const auto old = generations(c[0].number).front();
  EXPECT_TRUE(old.revoked_at.has_value()) << "the unused certificate is superseded";
  EXPECT_FALSE(old.sealed_key.has_value()) << "and its key destroyed";

  // A client that lost the answer asks again: the same certificate, recorded again.
  auto again = est_simpleenroll(env.services, pair(c[0]), request);
  ASSERT_TRUE(again.has_value()) << error_of(again).key;
  EXPECT_EQ(again->certificate.serial_hex, now.serial_hex);
  EXPECT_EQ(again->pkcs7_der, enrolled->pkcs7_der);
  EXPECT_EQ(downloads(now).size(), 2u);
  // Another key for the same number is refused, and nothing is issued for it.
  EXPECT_EQ(error_of(est_simpleenroll(env.services, pair(c[0]), csr("e1b"))).key, "est.other_key");
  EXPECT_EQ(generations(c[0].number).size(), 2u);
  // Server key generation has no key to give for a CSR's certificate.
  const auto keygen = est_serverkeygen(env.services, pair(c[0]), "");
  EXPECT_EQ(error_of(keygen).key, "est.not_generated");
  EXPECT_EQ(error_of(keygen).code, FailureCode::conflict);
}

TEST_F(EstTest, EnrolmentOfACsrCertificateReturnsItForItsOwnKey) {
  const auto request = csr("c1");
  const auto c = issue("1", "c1", {{1, request}});
  const auto issued = current(c[0].number);
  EXPECT_EQ(error_of(est_simpleenroll(env.services, pair(c[0]), csr("c1b"))).key, "est.other_key");
  EXPECT_TRUE(downloads(issued).empty()) << "a refusal records nothing";
  auto enrolled = est_simpleenroll(env.services, pair(c[0]), request);
  ASSERT_TRUE(enrolled.has_value()) << error_of(enrolled).key;
  EXPECT_EQ(enrolled->certificate.serial_hex, issued.serial_hex);
  EXPECT_EQ(generations(c[0].number).size(), 1u);
  EXPECT_EQ(current(c[0].number).status, domain::CertificateState::active);
  EXPECT_EQ(downloads(issued).at(0).what, "est-enroll");
}

TEST_F(EstTest, EnrolmentRefusesWrongPairsBadRequestsAndADownloadedGeneratedKey) {
  const auto c = issue("2", "r1");
  EXPECT_EQ(
      error_of(est_simpleenroll(env.services, {c[0].number, c[1].code, "192.0.2.21"}, csr("r1")))
          .code,
      FailureCode::unauthenticated);
  const auto garbage = est_simpleenroll(env.services, pair(c[0]), "not a request");
  EXPECT_EQ(error_of(garbage).code, FailureCode::invalid);
  ASSERT_EQ(error_of(garbage).fields.size(), 1u);
  EXPECT_EQ(error_of(garbage).fields[0].key, "est.csr_unreadable");
  const auto weak = env.dir.path() / "weak.csr";
  run("openssl req -new -newkey rsa:1024 -nodes -keyout /dev/null -subj /CN=w -outform DER -out '" +
      weak.string() + "'");
  EXPECT_EQ(error_of(est_simpleenroll(env.services, pair(c[0]), read_file(weak))).fields.at(0).key,
            "csr.weak_key");
  EXPECT_EQ(generations(c[0].number).size(), 1u);

  // The generated key went out as PKCS#8: it cannot be swapped for another any more.
  ASSERT_TRUE(est_serverkeygen(env.services, pair(c[1]), "").has_value());
  EXPECT_EQ(error_of(est_simpleenroll(env.services, pair(c[1]), csr("r1c"))).key,
            "pickup.not_replaceable");
}

TEST_F(EstTest, ServerKeygenHandsTheGeneratedKeyAsPkcs8WithItsCertificate) {
  const auto c = issue("1", "k1");
  // RFC 7030 makes the client send a request; its key is not used, so even a weak one passes,
  // but something that is no request at all does not.
  EXPECT_EQ(error_of(est_serverkeygen(env.services, pair(c[0]), "junk")).fields.at(0).key,
            "est.csr_unreadable");
  const auto weak = env.dir.path() / "weak.csr";
  run("openssl req -new -newkey rsa:1024 -nodes -keyout /dev/null -subj /CN=w -outform DER -out '" +
      weak.string() + "'");
  auto made = est_serverkeygen(env.services, pair(c[0]), read_file(weak));
  ASSERT_TRUE(made.has_value()) << error_of(made).key;
  const auto key = file("k1.p8", made->pkcs8_der);
  EXPECT_EQ(run("openssl pkey -inform DER -pubout -in '" + key.string() + "'"),
            pubkey_of_pkcs7(made->pkcs7_der, "k1"));
  const auto now = current(c[0].number);
  EXPECT_EQ(now.serial_hex, made->certificate.serial_hex);
  EXPECT_EQ(now.status, domain::CertificateState::active);
  EXPECT_EQ(downloads(now).at(0).what, "est-serverkeygen");
  // Again within the re-download days, as the page allows.
  EXPECT_TRUE(est_serverkeygen(env.services, pair(c[0]), "").has_value());
  EXPECT_EQ(downloads(now).size(), 2u);
}

TEST_F(EstTest, ReenrolmentIssuesTheNextGenerationForANewKeyWithTheSameSubject) {
  const auto c = issue("1", "n1");
  ASSERT_TRUE(est_serverkeygen(env.services, pair(c[0]), "").has_value());
  const auto held = current(c[0].number);
  const auto request = renewal_csr("n1", held);
  const auto mails = pending_mail_count(env.services);
  env.clock.advance(hours{24 * 30});
  auto renewed = est_simplereenroll(env.services, peer_of(held), request, "192.0.2.30");
  ASSERT_TRUE(renewed.has_value()) << error_of(renewed).key;
  EXPECT_EQ(pubkey_of_pkcs7(renewed->pkcs7_der, "n1"), pubkey_of_csr(request, "n1"));
  const auto next = current(c[0].number);
  EXPECT_EQ(next.serial_hex, renewed->certificate.serial_hex);
  EXPECT_NE(next.serial_hex, held.serial_hex);
  EXPECT_EQ(next.generation, held.generation + 1);
  EXPECT_EQ(next.issuance_number, held.issuance_number);
  EXPECT_EQ(next.terminal, held.terminal);
  EXPECT_EQ(next.subject, held.subject);
  EXPECT_GT(next.not_after, held.not_after) << "a fresh validity from today";
  EXPECT_EQ(downloads(next).at(0).what, "est-reenroll");
  EXPECT_EQ(downloads(next).at(0).client_address, "192.0.2.30");
  EXPECT_EQ(audits("certificate.renew", c[0].number), 1u);
  EXPECT_GT(pending_mail_count(env.services), mails);
  const auto old = generations(c[0].number).front();
  EXPECT_TRUE(old.replaced_at.has_value());
  EXPECT_TRUE(old.renewed);
  EXPECT_FALSE(old.revoked_at.has_value()) << "the renewed one stays valid until it expires";
  // The new certificate verifies as a terminal certificate of this CA.
  const auto ca_dir = std::filesystem::path(env.config.ca_dir);
  const auto pem = env.dir.path() / "next.pem";
  run("openssl x509 -inform DER -in '" + file("next.der", next.der).string() + "' -out '" +
      pem.string() + "'");
  const auto verified =
      run("openssl verify -purpose sslclient -CAfile '" + (ca_dir / "root.crt").string() +
          "' -untrusted '" + (ca_dir / "issuing.crt").string() + "' -attime " +
          std::to_string(util::to_unix(env.clock.now())) + " '" + pem.string() + "'");
  EXPECT_NE(verified.find(": OK"), std::string::npos) << verified;

  // The older generation may not renew again; the newer one may.
  EXPECT_EQ(error_of(est_simplereenroll(env.services, peer_of(held), renewal_csr("n1b", held),
                                        "192.0.2.30"))
                .key,
            "est.renewed");
  auto third =
      est_simplereenroll(env.services, peer_of(next), renewal_csr("n1c", next), "192.0.2.30");
  ASSERT_TRUE(third.has_value()) << error_of(third).key;
  EXPECT_EQ(current(c[0].number).generation, 3);
}

// Re-enrolment is a renewal as a renewal application's is (renewal_overlap.hpp): the old
// certificate, picked up by its holder at once, is revoked once the overlap is over.
TEST_F(EstTest, AReenrolledCertificateIsRevokedAsSupersededAfterTheRenewalOverlap) {
  const auto c = issue("1", "o1");
  ASSERT_TRUE(est_serverkeygen(env.services, pair(c[0]), "").has_value());
  const auto held = current(c[0].number);
  env.clock.advance(hours{24 * 30});
  ASSERT_TRUE(est_simplereenroll(env.services, peer_of(held), renewal_csr("o1", held), "192.0.2.31")
                  .has_value());
  env.clock.advance(days{env.config.renewal_overlap_days} - hours{1});
  EXPECT_EQ(revoke_renewed_certificates(env.services), 0) << "the overlap runs";
  env.clock.advance(hours{2});
  EXPECT_EQ(revoke_renewed_certificates(env.services), 1);
  const auto old = generations(c[0].number).front();
  EXPECT_EQ(old.status, domain::CertificateState::revoked);
  EXPECT_EQ(old.revocation_reason, static_cast<int>(domain::RevocationReason::superseded));
  EXPECT_EQ(current(c[0].number).status, domain::CertificateState::active);
  EXPECT_EQ(revoke_renewed_certificates(env.services), 0) << "once";
}

TEST_F(EstTest, ReenrolmentRefusesWhatIsNotTheCurrentValidCertificateOrNotANewKey) {
  const auto c = issue("2", "x1");
  ASSERT_TRUE(est_serverkeygen(env.services, pair(c[0]), "").has_value());
  ASSERT_TRUE(est_serverkeygen(env.services, pair(c[1]), "").has_value());
  const auto held = current(c[0].number);
  const auto other = current(c[1].number);
  const auto request = renewal_csr("x1", held);
  const auto refused = [&](const EstPeer& p, const std::string& req) {
    const auto r = est_simplereenroll(env.services, p, req, "192.0.2.31");
    const auto f = error_of(r);
    return f.fields.empty() ? f.key : f.fields[0].key;
  };
  EXPECT_EQ(refused({{}, false}, request), "est.no_client_certificate");
  EXPECT_EQ(error_of(est_simplereenroll(env.services, {{}, false}, request, "x")).code,
            FailureCode::unauthenticated);
  EXPECT_EQ(refused({{held.der}, false}, request), "est.not_ours") << "the chain did not verify";
  EXPECT_EQ(refused({{"garbage"}, true}, request), "est.not_ours");
  // Another CA's certificate with the very serial of ours.
  const auto foreign = env.dir.path() / "foreign.der";
  run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null "
      "-subj /CN=foreign -days 30 -set_serial 0x" +
      held.serial_hex + " -outform DER -out '" + foreign.string() + "'");
  EXPECT_EQ(pki::read_certificate(read_file(foreign))->serial_hex, held.serial_hex);
  EXPECT_EQ(refused({{read_file(foreign)}, true}, request), "est.not_ours");
  EXPECT_EQ(
      error_of(est_simplereenroll(env.services, {{read_file(foreign)}, true}, request, "x")).code,
      FailureCode::forbidden);
  // The request: its subject must be the certificate's, its key new and never certified.
  EXPECT_EQ(refused(peer_of(held), csr("x1s")), "est.subject_differs");
  EXPECT_EQ(refused(peer_of(held), renewal_csr("x1o", other)), "est.subject_differs");
  const auto cert = file("x1.current.der", held.der);
  const auto with_san = env.dir.path() / "san.csr";
  const auto san_cnf = file("san.cnf", "subjectAltName=DNS:terminal.example.jp\n");
  run("openssl x509 -x509toreq -inform DER -in '" + cert.string() + "' -key '" +
      (env.dir.path() / "x1.key").string() + "' -extfile '" + san_cnf.string() +
      "' | openssl req -outform DER -out '" + with_san.string() + "'");
  EXPECT_EQ(refused(peer_of(held), read_file(with_san)), "est.subject_differs");
  EXPECT_EQ(refused(peer_of(held), "junk"), "est.csr_unreadable");
  // The key the CA generated for it, in a request with its subject: not a new key.
  const auto same = env.dir.path() / "same.key";
  std::ofstream(same, std::ios::binary)
      << est_serverkeygen(env.services, pair(c[0]), "").value().pkcs8_der;
  const auto same_req = env.dir.path() / "same.csr";
  run("openssl x509 -x509toreq -inform DER -in '" + cert.string() + "' -key '" + same.string() +
      "' -keyform DER | openssl req -outform DER -out '" + same_req.string() + "'");
  EXPECT_EQ(refused(peer_of(held), read_file(same_req)), "est.same_key");
  EXPECT_EQ(generations(c[0].number).size(), 1u) << "nothing issued for any refusal";
  EXPECT_EQ(audits("certificate.reserve", c[0].number), 1u) << "nor any serial reserved";

  // Revoked (as the revocation issue will mark it), then expired.
  ASSERT_EQ(
      tamper("UPDATE certificates SET status = 'revoked', revoked_at = 1 WHERE serial_hex = '" +
             other.serial_hex + "'"),
      0);
  EXPECT_EQ(refused(peer_of(other), renewal_csr("x2", other)), "est.revoked");
  env.clock.set(system_clock::time_point{milliseconds{held.not_after}} + seconds{1});
  EXPECT_EQ(refused(peer_of(held), request), "est.expired");
  EXPECT_EQ(generations(c[0].number).size(), 1u);
  EXPECT_EQ(generations(c[1].number).size(), 1u);
}

TEST_F(EstTest, EveryEstMessageIsInTheCatalogue) {
  for (const char* key :
       {"est.https_only", "est.basic_auth", "est.not_base64", "est.pem_not_accepted",
        "est.csr_unreadable", "est.no_client_certificate", "est.not_ours", "est.revoked",
        "est.expired", "est.renewed", "est.subject_differs", "est.same_key", "est.other_key",
        "est.not_generated", "pickup.what.est-enroll", "pickup.what.est-serverkeygen",
        "pickup.what.est-reenroll"}) {
    EXPECT_TRUE(env.services.messages.has(key)) << key;
  }
}

}  // namespace
}  // namespace onshi::app
