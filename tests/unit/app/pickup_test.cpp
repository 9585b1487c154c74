// 受取 on the use cases, with a real CA and a settable clock: the pair typed loosely, a wrong pair
// that never says which half, the lock and its unlock, the address throttle, the PKCS#12 and
// chain downloads and what they record, the re-download days, 受取を完了する, the window, and a
// generated key replaced by the terminal's own CSR.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "app/ca/issuance.hpp"
#include "app/ca/pickup.hpp"
#include "app/core/outbox.hpp"
#include "app/office/notice_letters.hpp"
#include "issued_fixture.hpp"
#include "support/error_of.hpp"
#include "support/typed_loosely.hpp"
#include "util/secrets.hpp"

namespace onshi::app {
namespace {

using onshi::test::error_of;
using namespace std::chrono;
using test::Issued;
using test::read_file;
using test::run;

class PickupTest : public test::IssuedTest {
 protected:
  Result<PickupGrant> open(const std::string& number, const std::string& code,
                           const std::string& address = "192.0.2.10") {
    return open_pickup(env.services, {number, code, address});
  }

  std::string csr(const std::string& name) {
    const auto key = env.dir.path() / (name + ".key");
    const auto out = env.dir.path() / (name + ".csr");
    run("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=" + name +
        " -keyout '" + key.string() + "' -out '" + out.string() + "'");
    return read_file(out);
  }

  int mails_to_contact() { return static_cast<int>(pending_mail_count(env.services)); }
};

TEST(IssuanceNumber, TypedAsPeopleTypeIt) {
  EXPECT_EQ(normalize_issuance_number("C-00000012-03"), "C-00000012-03");
  EXPECT_EQ(normalize_issuance_number("c0000001203"), "C-00000012-03");
  EXPECT_EQ(normalize_issuance_number("ｃ－００００００１２－０３"), "C-00000012-03");
  EXPECT_EQ(normalize_issuance_number(" 0000001203 "), "C-00000012-03");
  EXPECT_EQ(normalize_issuance_number("C-0000012-03"), "");
  EXPECT_EQ(normalize_issuance_number("X-00000012-03"), "");
  EXPECT_EQ(normalize_issuance_number(""), "");
}

TEST_F(PickupTest, TheRightPairOpensTheGeneratedKeyAsPkcs12) {
  const auto c = issue("2", "p1");
  ASSERT_EQ(c.size(), 2u);
  auto grant = open(c[0].number, test::typed_loosely(c[0].code));
  ASSERT_TRUE(grant.has_value()) << error_of(grant).key;
  EXPECT_TRUE(grant->generated_key());
  EXPECT_TRUE(grant->replaceable());
  EXPECT_EQ(grant->certificate.terminal, "T01");

  const auto before = mails_to_contact();
  auto p12 =
      download_pkcs12(env.services, *grant,
                      {"terminal pass 1", "terminal pass 1", Pkcs12Choice::standard, "192.0.2.10"});
  ASSERT_TRUE(p12.has_value()) << error_of(p12).key;
  EXPECT_EQ(p12->filename, c[0].number + ".p12");
  const auto file = env.dir.path() / "t01.p12";
  std::ofstream(file, std::ios::binary) << p12->bytes;
  // OpenSSL 3 reads the standard format without -legacy; the chain of three is inside.
  const auto listed =
      run("openssl pkcs12 -in '" + file.string() + "' -passin pass:'terminal pass 1' -nodes -info");
  EXPECT_NE(listed.find("PBES2"), std::string::npos) << listed;
  EXPECT_NE(listed.find("friendlyName: 1310123455-T01"), std::string::npos) << listed;
  EXPECT_EQ(mails_to_contact(), before + 1) << "every download mails the institution";

  const auto now = current(c[0].number);
  EXPECT_EQ(now.status, domain::CertificateState::active);
  EXPECT_TRUE(now.picked_up_at.has_value());
  EXPECT_TRUE(now.sealed_key.has_value()) << "kept for the re-download days";
  const auto again = open(c[0].number, c[0].code);
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(again->replaceable());
  ASSERT_EQ(again->downloads.size(), 1u);
  EXPECT_EQ(again->downloads[0].what, "pkcs12-standard");
  EXPECT_EQ(again->downloads[0].client_address, "192.0.2.10");
}

TEST_F(PickupTest, AWrongPairNeverSaysWhichHalfWasWrong) {
  const auto c = issue("1", "p2");
  EXPECT_EQ(error_of(open(c[0].number, "AAAA-AAAA-AAAA-AAAA")).key, "pickup.wrong_pair");
  EXPECT_EQ(error_of(open("C-99999999-01", c[0].code)).key, "pickup.wrong_pair");
  EXPECT_EQ(error_of(open("nonsense", "nonsense")).key, "pickup.wrong_pair");
  EXPECT_EQ(error_of(open(c[0].number, "")).key, "pickup.wrong_pair");
}

TEST_F(PickupTest, FiveWrongCodesLockTheNumberUntilAnOperatorUnlocksIt) {
  const auto c = issue("1", "p3");
  for (int i = 0; i < env.config.pickup_max_attempts; ++i)
    EXPECT_EQ(error_of(open(c[0].number, "AAAA-AAAA-AAAA-AAAA")).key, "pickup.wrong_pair");
  // Even the right code is refused now, and says why (it proves the letter is in hand).
  EXPECT_EQ(error_of(open(c[0].number, c[0].code)).key, "pickup.locked");
  EXPECT_EQ(error_of(unlock_pickup(env.services, reviewer, c[0].number)).key, "review.forbidden");
  ASSERT_TRUE(unlock_pickup(env.services, issuer, c[0].number).has_value());
  EXPECT_EQ(error_of(unlock_pickup(env.services, issuer, c[0].number)).key, "pickup.not_locked");
  EXPECT_TRUE(open(c[0].number, c[0].code).has_value());
  env.db->read([&](store::ReadTx& tx) {
    store::AuditFilter f;
    f.action_prefix = "certificate.pickup_";
    const auto entries = tx.audit().audit_entries(f);
    ASSERT_EQ(entries.size(), 2u);  // newest first
    EXPECT_EQ(entries[0].action, "certificate.pickup_unlock");
    EXPECT_EQ(entries[1].action, "certificate.pickup_locked");
  });
}

TEST_F(PickupTest, OneAddressCannotWalkThroughNumbers) {
  const auto c = issue("1", "p4");
  int wrong = 0;
  // Each guess is at another number, so no number locks; the address does.
  for (int i = 0; i < 12; ++i) {
    const auto r = open(fmt::format("C-9999{:04d}-01", i), "AAAA-AAAA-AAAA-AAAA", "198.51.100.7");
    if (error_of(r).key == "pickup.wrong_pair") ++wrong;
  }
  EXPECT_LE(wrong, 11);
  EXPECT_EQ(error_of(open(c[0].number, c[0].code, "198.51.100.7")).key, "pickup.throttled");
  // Another address is not held back.
  EXPECT_TRUE(open(c[0].number, c[0].code, "198.51.100.8").has_value());
  env.clock.advance(hours{2});
  EXPECT_TRUE(open(c[0].number, c[0].code, "198.51.100.7").has_value());
}

TEST_F(PickupTest, ThePasswordIsCheckedBesideItsFields) {
  const auto c = issue("1", "p5");
  auto grant = open(c[0].number, c[0].code);
  ASSERT_TRUE(grant.has_value());
  auto fields_of = [&](const Pkcs12Request& r) {
    std::vector<std::string> out;
    for (const auto& f : error_of(download_pkcs12(env.services, *grant, r)).fields)
      out.push_back(f.field + ":" + f.key);
    return out;
  };
  EXPECT_EQ(fields_of({"short", "short", Pkcs12Choice::standard, "a"}),
            std::vector<std::string>{"password:pickup.password_short"});
  EXPECT_EQ(fields_of({"long enough", "long enougj", std::nullopt, "a"}),
            (std::vector<std::string>{"password_again:pickup.password_mismatch",
                                      "format:pickup.format_missing"}));
  EXPECT_EQ(fields_of({test::typed_loosely(c[0].code), test::typed_loosely(c[0].code),
                       Pkcs12Choice::compatible, "a"}),
            std::vector<std::string>{"password:pickup.password_is_code"});
  // Java's keytool cannot open a PKCS#12 whose password is not ASCII.
  EXPECT_EQ(fields_of({"パスワードは長い", "パスワードは長い", Pkcs12Choice::standard, "a"}),
            std::vector<std::string>{"password:pickup.password_ascii"});
  EXPECT_FALSE(current(c[0].number).picked_up_at.has_value()) << "a refusal downloads nothing";
}

TEST_F(PickupTest, ReDownloadsLastSevenDaysThenTheKeyIsDestroyed) {
  const auto c = issue("2", "p6");
  auto grant = open(c[0].number, c[0].code);
  ASSERT_TRUE(download_pkcs12(env.services, *grant,
                              {"password one", "password one", Pkcs12Choice::compatible, "x"})
                  .has_value());
  env.clock.advance(days{6});
  auto again = open(c[0].number, c[0].code);
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(download_pkcs12(env.services, *again,
                              {"password two", "password two", Pkcs12Choice::standard, "x"})
                  .has_value());
  env.clock.advance(days{1});
  EXPECT_EQ(close_lapsed_pickups(env.services), 1);
  EXPECT_EQ(error_of(open(c[0].number, c[0].code)).key, "pickup.closed");
  const auto closed = current(c[0].number);
  EXPECT_FALSE(closed.sealed_key.has_value());
  EXPECT_EQ(closed.pickup_closed_how, store::PickupClosed::lapsed);
  // A grant taken before does not outlive the closing either.
  EXPECT_EQ(error_of(resume_pickup(env.services, again->token)).key, "pickup.grant_expired");
}

TEST_F(PickupTest, CompletingThePickupEndsTheCodeAtOnce) {
  const auto c = issue("1", "p7");
  EXPECT_EQ(error_of(complete_pickup(env.services, user, c[0].number)).key, "pickup.not_picked_up");
  auto grant = open(c[0].number, c[0].code);
  ASSERT_TRUE(download_pkcs12(env.services, *grant,
                              {"password one", "password one", Pkcs12Choice::standard, "x"})
                  .has_value());
  ASSERT_TRUE(complete_pickup(env.services, user, c[0].number).has_value());
  EXPECT_EQ(error_of(open(c[0].number, c[0].code)).key, "pickup.closed");
  EXPECT_FALSE(current(c[0].number).sealed_key.has_value());
  // The grant the page still holds is refused too: nothing leaves after 受取を完了する.
  EXPECT_EQ(error_of(download_pkcs12(env.services, *grant,
                                     {"password one", "password one", Pkcs12Choice::standard, "x"}))
                .key,
            "pickup.closed");
}

TEST_F(PickupTest, CompletingAfterTheDaysRecordsTheLapseAndAClosedCodeLocksNothing) {
  const auto c = issue("1", "p12");
  auto grant = open(c[0].number, c[0].code);
  ASSERT_TRUE(download_pkcs12(env.services, *grant,
                              {"password one", "password one", Pkcs12Choice::standard, "x"})
                  .has_value());
  env.clock.advance(days{env.config.pickup_redownload_days});
  ASSERT_TRUE(complete_pickup(env.services, user, c[0].number).has_value());
  EXPECT_EQ(current(c[0].number).pickup_closed_how, store::PickupClosed::lapsed);
  for (int i = 0; i < env.config.pickup_max_attempts + 1; ++i)
    open(c[0].number, "AAAA-AAAA-AAAA-AAAA", fmt::format("192.0.2.{}", i + 50));
  EXPECT_FALSE(current(c[0].number).pickup_locked_at.has_value());
  EXPECT_EQ(error_of(open(c[0].number, c[0].code)).key, "pickup.closed");
}

TEST_F(PickupTest, TheWindowEndsAfterItsDays) {
  const auto c = issue("1", "p8");
  env.clock.advance(days{env.config.pickup_valid_days});
  EXPECT_EQ(error_of(open(c[0].number, c[0].code)).key, "pickup.window_over");
}

TEST_F(PickupTest, ACsrReplacesTheUnusedGeneratedKey) {
  const auto c = issue("1", "p9");
  auto grant = open(c[0].number, c[0].code);
  ASSERT_TRUE(grant.has_value());
  const auto old_serial = grant->certificate.serial_hex;
  EXPECT_EQ(error_of(replace_with_csr(env.services, *grant, "not a csr", "x")).fields.at(0).key,
            "csr.unreadable");
  auto replaced = replace_with_csr(env.services, *grant, csr("T01"), "192.0.2.5");
  ASSERT_TRUE(replaced.has_value()) << error_of(replaced).key;
  const auto& now = replaced->grant.certificate;
  EXPECT_NE(now.serial_hex, old_serial);
  EXPECT_EQ(now.issuance_number, c[0].number);
  EXPECT_EQ(now.generation, 2);
  EXPECT_EQ(now.key_source, store::KeySource::csr);
  EXPECT_EQ(now.status, domain::CertificateState::active);
  env.db->read([&](store::ReadTx& tx) {
    const auto old = tx.certificates().find_certificate_by_serial(old_serial);
    EXPECT_EQ(old->status, domain::CertificateState::revoked);
    EXPECT_EQ(old->revocation_reason, static_cast<int>(domain::RevocationReason::superseded));
    EXPECT_FALSE(old->sealed_key.has_value()) << "the generated key is destroyed";
    EXPECT_EQ(tx.certificates().generations_of(c[0].number).size(), 2u);
  });
  // The grant of the superseded certificate is void; the code opens the new one, with its chain.
  EXPECT_FALSE(resume_pickup(env.services, grant->token).has_value());
  auto reopened = open(c[0].number, c[0].code);
  ASSERT_TRUE(reopened.has_value());
  EXPECT_EQ(reopened->certificate.serial_hex, now.serial_hex);
  EXPECT_FALSE(reopened->replaceable());
  auto pem = download_chain(env.services, *reopened, ChainFormat::pem, "x");
  ASSERT_TRUE(pem.has_value());
  EXPECT_EQ(pem->filename, c[0].number + ".pem");
  const auto file = env.dir.path() / "chain.pem";
  std::ofstream(file) << pem->bytes;
  EXPECT_NE(run("openssl crl2pkcs7 -nocrl -certfile '" + file.string() +
                "' | openssl pkcs7 -print_certs -noout")
                .find("onshi Root CA G1"),
            std::string::npos);
  // A second CSR cannot replace a certificate that is in use.
  EXPECT_EQ(error_of(replace_with_csr(env.services, *reopened, csr("T01b"), "x")).key,
            "pickup.not_replaceable");
}

TEST_F(PickupTest, AnotherInstitutionCannotCompleteThePickup) {
  const auto c = issue("1", "p10");
  auto other = user;
  other.institution.id += 1000;
  EXPECT_EQ(error_of(complete_pickup(env.services, other, c[0].number)).key,
            "certificate.not_found");
}

TEST_F(PickupTest, ANewLetterVoidsTheOldCodes) {
  const auto c = issue("2", "p11");
  const auto application = c[0].number.substr(0, c[0].number.rfind('-'));
  auto grant = open(c[0].number, c[0].code);
  ASSERT_TRUE(download_pkcs12(env.services, *grant,
                              {"password one", "password one", Pkcs12Choice::standard, "x"})
                  .has_value());
  ASSERT_TRUE(print_notice_letters(env.services, issuer, {}, {application}).has_value());
  ASSERT_TRUE(reprint_notice_letter(env.services, issuer, application).has_value());
  // T02 waits with a new code; T01, downloaded, keeps no working code at all.
  EXPECT_EQ(error_of(open(c[1].number, c[1].code)).key, "pickup.wrong_pair");
  EXPECT_EQ(error_of(open(c[0].number, c[0].code)).key, "pickup.closed");
  EXPECT_EQ(current(c[0].number).pickup_closed_how, store::PickupClosed::voided);
  EXPECT_FALSE(current(c[0].number).sealed_key.has_value());
}

}  // namespace
}  // namespace onshi::app
