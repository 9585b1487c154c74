// The CRL scheduler's job on the use case, with a real CA, a real database and a settable clock:
// when it publishes, what each full and delta CRL lists (read back by pki::summarize_crl and the
// openssl CLI), numbers that only grow, two publishers at once, and the file names served.
#include <gtest/gtest.h>

#include <thread>

#include "app/ca/crl_publisher.hpp"
#include "app/ca/revocation.hpp"
#include "issued_fixture.hpp"
#include "pki/authority.hpp"
#include "pki/crl.hpp"
#include "pki/issuing_ca.hpp"
#include "support/error_of.hpp"

namespace onshi::app {
namespace {

using namespace std::chrono;
using onshi::test::error_of;

class CrlPublisherTest : public test::IssuedTest {
 protected:
  int publish() { return publish_crls(env.services); }
  PublishedCrl crl(const std::string& name) {
    auto c = published_crl(env.services, name);
    EXPECT_TRUE(c) << name;
    return c ? *c : PublishedCrl{};
  }
  // `openssl crl -text` of a published CRL.
  std::string text(const std::string& name) {
    const auto file = env.dir.path() / "under-test.crl";
    std::ofstream(file, std::ios::binary) << crl(name).der;
    return test::run("openssl crl -inform DER -noout -text -in " + file.string());
  }
  std::string serial_of(const std::string& number) {
    std::string s = current(number).serial_hex;
    for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return "Serial Number: " + s;
  }
  void revoke(const std::string& number, const std::string& reason = "keyCompromise") {
    auto r = revoke_certificate(env.services, issuer, {number, reason, std::nullopt});
    ASSERT_TRUE(r.has_value()) << error_of(r).key;
  }
};

TEST_F(CrlPublisherTest, FirstRunPublishesAFullAndADeltaThenWaitsUntilDue) {
  EXPECT_FALSE(published_crl(env.services, "issuing.crl")) << "nothing before the first run";
  EXPECT_EQ(publish(), 2);
  const auto full = crl("issuing.crl");
  const auto delta = crl("issuing-delta.crl");
  EXPECT_EQ(full.number, 1);
  EXPECT_EQ(delta.number, 2);
  EXPECT_EQ(full.this_update, floor<seconds>(env.clock.now()));
  EXPECT_EQ(full.next_update, full.this_update + hours(24)) << "pki.crl_next_update_hours";
  EXPECT_EQ(pki::summarize_crl(delta.der).delta_base, std::optional<std::int64_t>(1));
  EXPECT_EQ(pki::summarize_crl(full.der).entries, 0u);

  env.clock.advance(hours(11) + minutes(59));
  EXPECT_EQ(publish(), 0) << "nothing changed and 12 hours have not passed";
  env.clock.advance(minutes(1));
  EXPECT_EQ(publish(), 2) << "pki.crl_interval_hours";
  EXPECT_EQ(crl("issuing.crl").number, 3);
  EXPECT_EQ(crl("issuing-delta.crl").number, 4);
}

TEST_F(CrlPublisherTest, HalfTheValidityIsTheLatestWhenItIsShorter) {
  env.config.crl_next_update_hours = 4;
  EXPECT_EQ(publish(), 2);
  env.clock.advance(hours(2) - seconds(1));
  EXPECT_EQ(publish(), 0);
  env.clock.advance(seconds(1));
  EXPECT_EQ(publish(), 2);
}

TEST_F(CrlPublisherTest, ARevocationIsOnTheNextFullAndDeltaWithItsReason) {
  const auto c = issue("2", "c1");
  ASSERT_EQ(publish(), 2);
  env.clock.advance(seconds(5));
  revoke(c[0].number);
  env.clock.advance(seconds(5));
  EXPECT_EQ(publish(), 2) << "a revocation does not wait for the interval";
  for (const char* name : {"issuing.crl", "issuing-delta.crl"}) {
    const auto t = text(name);
    EXPECT_NE(t.find(serial_of(c[0].number)), std::string::npos) << name << "\n" << t;
    EXPECT_NE(t.find("Key Compromise"), std::string::npos) << name << "\n" << t;
    EXPECT_EQ(t.find(serial_of(c[1].number)), std::string::npos) << name << "\n" << t;
  }
  EXPECT_EQ(pki::summarize_crl(crl("issuing-delta.crl").der).delta_base,
            std::optional<std::int64_t>(1))
      << "against the oldest full CRL still valid, so a relying party's older copy works";
  EXPECT_EQ(publish(), 0) << "once";
}

TEST_F(CrlPublisherTest, ARevocationLaterInTheSecondWaitsForTheNextOne) {
  const auto c = issue("1", "c2");
  ASSERT_EQ(publish(), 2);
  env.clock.advance(seconds(2) + milliseconds(500));
  revoke(c[0].number);
  env.clock.advance(milliseconds(100));
  // A CRL now would have this second as its thisUpdate, before the revocation.
  EXPECT_EQ(publish(), 0);
  env.clock.advance(milliseconds(400));
  EXPECT_EQ(publish(), 2);
  EXPECT_NE(text("issuing.crl").find(serial_of(c[0].number)), std::string::npos);
  EXPECT_EQ(publish(), 0);
}

TEST_F(CrlPublisherTest, ADeltaListsOnlyWhatChangedSinceItsBase) {
  const auto c = issue("2", "c3");
  ASSERT_EQ(publish(), 2);  // full 1 (valid 24 h)
  env.clock.advance(hours(1));
  revoke(c[0].number);
  env.clock.advance(seconds(1));
  ASSERT_EQ(publish(), 2);  // full 3, delta 4 on base 1
  env.clock.advance(hours(12));
  ASSERT_EQ(publish(), 2);  // full 5, delta 6 on base 1: full 1 is still valid
  EXPECT_NE(text("issuing-delta.crl").find(serial_of(c[0].number)), std::string::npos);
  env.clock.advance(hours(12));
  revoke(c[1].number, "cessationOfOperation");
  env.clock.advance(seconds(1));
  ASSERT_EQ(publish(), 2);  // full 7; full 1 and 3 have expired, so delta 8 is on base 5
  const auto delta = crl("issuing-delta.crl");
  EXPECT_EQ(pki::summarize_crl(delta.der).delta_base, std::optional<std::int64_t>(5));
  const auto t = text("issuing-delta.crl");
  EXPECT_NE(t.find(serial_of(c[1].number)), std::string::npos) << t;
  EXPECT_NE(t.find("Cessation Of Operation"), std::string::npos) << t;
  EXPECT_EQ(t.find(serial_of(c[0].number)), std::string::npos)
      << "revoked before its base: the base lists it\n"
      << t;
  const auto full = text("issuing.crl");
  EXPECT_NE(full.find(serial_of(c[0].number)), std::string::npos);
  EXPECT_NE(full.find(serial_of(c[1].number)), std::string::npos);
}

TEST_F(CrlPublisherTest, AnExpiredEntryLeavesAfterOneCrlPastItsNotAfter) {
  const auto c = issue("1", "c4");
  revoke(c[0].number, "superseded");
  env.clock.advance(seconds(1));
  ASSERT_EQ(publish(), 2);
  const auto not_after = util::TimePoint(milliseconds(current(c[0].number).not_after));
  env.clock.set(not_after + hours(1));
  ASSERT_EQ(publish(), 2);
  EXPECT_NE(text("issuing.crl").find(serial_of(c[0].number)), std::string::npos)
      << "the first CRL after its notAfter still lists it (RFC 5280 3.3)";
  env.clock.advance(hours(12));
  ASSERT_EQ(publish(), 2);
  EXPECT_EQ(text("issuing.crl").find(serial_of(c[0].number)), std::string::npos);
}

TEST_F(CrlPublisherTest, TwoPublishersAtOnceNeverShareANumber) {
  std::atomic<int> published{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) threads.emplace_back([&] { published += publish(); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(published.load(), 2) << "the second sees the first's, once it may reserve";
  const auto full = crl("issuing.crl");
  const auto delta = crl("issuing-delta.crl");
  EXPECT_GT(delta.number, full.number) << "a delta applies to the full CRL before it";
  EXPECT_EQ(publish(), 0);
}

TEST_F(CrlPublisherTest, FileNamesServedAndRefused) {
  ASSERT_EQ(publish(), 2);
  const auto current_ca = ca->issuing().generations().front();
  std::string upper = current_ca.serial_hex;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  EXPECT_EQ(crl("issuing-" + current_ca.serial_hex + ".crl").der, crl("issuing.crl").der);
  EXPECT_EQ(crl("issuing-" + upper + "-delta.crl").der, crl("issuing-delta.crl").der);
  for (const char* name : {"issuing-.crl", "issuing-0badc0de.crl", "issuing", "issuing.crt",
                           "issuingx.crl", "other.crl", "root.crl", "issuing--delta.crl"}) {
    EXPECT_FALSE(published_crl(env.services, name)) << name;
  }
  const auto arl = pki::sign_root_crl(key_store_config(env.config), {}, env.clock.now());
  ASSERT_TRUE(arl);
  const auto root = crl("root.crl");
  EXPECT_EQ(root.der, arl->der);
  EXPECT_EQ(root.number, 1);
  EXPECT_EQ(root.next_update, arl->summary.next_update);
}

TEST_F(CrlPublisherTest, AnEarlierIssuingCaPublishesForWhatItIssued) {
  const auto c = issue("2", "c5");
  revoke(c[0].number, "superseded");
  const auto earlier = ca->issuing().generations().front();
  pki::reissue_issuing_ca(key_store_config(env.config), ca_settings(env.config), env.clock.now());
  env.services.ca = nullptr;
  ca = CertificateAuthority::open(env.config);  // as a restart of onshi serve does
  env.services.ca = ca.get();
  ASSERT_EQ(ca->issuing().generations().size(), 2u);
  env.clock.advance(seconds(1));
  EXPECT_EQ(publish(), 4) << "a full and a delta CRL for each";

  const auto old_name = "issuing-" + earlier.serial_hex;
  const auto old = text(old_name + ".crl");
  EXPECT_NE(old.find(serial_of(c[0].number)), std::string::npos) << old;
  std::string key_id;  // as openssl prints the authorityKeyIdentifier
  for (std::size_t i = 0; i < earlier.key_id_hex.size(); i += 2) {
    if (!key_id.empty()) key_id += ':';
    for (char ch : earlier.key_id_hex.substr(i, 2))
      key_id += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  EXPECT_NE(old.find(key_id), std::string::npos) << "signed by the earlier CA\n" << old;
  EXPECT_EQ(text("issuing.crl").find(key_id), std::string::npos);
  const auto file = env.dir.path() / "earlier.crl";
  std::ofstream(file, std::ios::binary) << crl(old_name + ".crl").der;
  const auto earlier_pem =
      std::filesystem::path(env.config.ca_dir) / ("issuing-" + earlier.serial_hex + ".crt");
  EXPECT_NE(test::run("openssl crl -inform DER -noout -in " + file.string() + " -CAfile " +
                      earlier_pem.string())
                .find("verify OK"),
            std::string::npos);
  EXPECT_NE(old.find("URI:http://portal.test/pki/crl/" + old_name + "-delta.crl"),
            std::string::npos)
      << "its freshestCRL is its own delta\n"
      << old;
  EXPECT_NE(old.find("URI:http://portal.test/pki/crl/issuing.crl"), std::string::npos)
      << "the point its certificates name\n"
      << old;
  EXPECT_EQ(crl(old_name + "-delta.crl").number, 2);
  const auto current = text("issuing.crl");
  EXPECT_EQ(current.find(serial_of(c[0].number)), std::string::npos)
      << "the new CA lists only what it issued\n"
      << current;
  EXPECT_NE(current.find("URI:http://portal.test/pki/crl/issuing-delta.crl"), std::string::npos);
  EXPECT_NE(crl("issuing.crl").der, crl(old_name + ".crl").der);
}

TEST_F(CrlPublisherTest, AnEarlierIssuingCaWithoutCertificatesPublishesNothing) {
  pki::reissue_issuing_ca(key_store_config(env.config), ca_settings(env.config), env.clock.now());
  env.services.ca = nullptr;
  ca = CertificateAuthority::open(env.config);
  env.services.ca = ca.get();
  ASSERT_EQ(ca->issuing().generations().size(), 2u);
  EXPECT_EQ(publish(), 2) << "only the current CA's";
  EXPECT_FALSE(published_crl(env.services,
                             "issuing-" + ca->issuing().generations().back().serial_hex + ".crl"));
}

TEST_F(CrlPublisherTest, WithoutACaThereIsNothingToPublish) {
  env.services.ca = nullptr;
  EXPECT_EQ(publish(), 0);
  EXPECT_FALSE(published_crl(env.services, "issuing.crl"));
}

TEST(CrlJobPeriod, AQuarterOfTheRevocationDelay) {
  Config c;
  EXPECT_EQ(crl_job_period(c), seconds(15));
  c.crl_revocation_delay_seconds = 2;
  EXPECT_EQ(crl_job_period(c), seconds(1)) << "at least a second";
}

}  // namespace
}  // namespace onshi::app
