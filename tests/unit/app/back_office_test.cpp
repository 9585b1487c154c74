// The back office on a real SQLite database, a real CA (encrypted PKCS#8 keys in a temp folder)
// and a settable clock: operator login with TOTP, review decisions and roles, issuance, the
// print batch that shows each pickup code once, registered mail, and the audit chain.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "app/accounts/accounts.hpp"
#include "app/applications/certificate_applications.hpp"
#include "app/applications/my_page.hpp"
#include "app/applications/usage_applications.hpp"
#include "app/ca/certificate_authority.hpp"
#include "app/ca/issuance.hpp"
#include "app/core/audit.hpp"
#include "app/office/notice_letters.hpp"
#include "app/office/operators.hpp"
#include "app/office/review.hpp"
#include "back_office_fixture.hpp"
#include "support/error_of.hpp"
#include "util/totp.hpp"

namespace onshi::app {
namespace {

using onshi::test::error_of;

using namespace std::chrono;

using test::BackOfficeTest;
using test::kPassword;

TEST_F(BackOfficeTest, LoginNeedsPasswordAndAFreshTotpCode) {
  const auto code = code_now("rev");
  EXPECT_EQ(error_of(operator_login(env.services, "rev", "wrong password 2026", code)).key,
            "operator_login.bad_credentials");
  EXPECT_EQ(error_of(operator_login(env.services, "rev", kPassword, "000000")).key,
            "operator_login.bad_credentials");
  auto token = operator_login(env.services, "rev", kPassword, code);
  ASSERT_TRUE(token.has_value());
  auto who = resolve_operator_session(env.services, *token);
  ASSERT_TRUE(who.has_value());
  EXPECT_EQ(who->actor.role, Role::reviewer);
  EXPECT_EQ(who->actor.audit_name(), fmt::format("operator:{}", reviewer.operator_id));
  // The same code a second time is a replay, even within its 30 seconds.
  EXPECT_FALSE(operator_login(env.services, "rev", kPassword, code).has_value());
  env.clock.advance(seconds{30});
  EXPECT_TRUE(operator_login(env.services, "rev", kPassword, code_now("rev")).has_value());
  operator_logout(env.services, *token);
  EXPECT_FALSE(resolve_operator_session(env.services, *token).has_value());
}

TEST_F(BackOfficeTest, RepeatedFailuresLockTheOperator) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(operator_login(env.services, "iss", "not the password", "123456").has_value());
  }
  EXPECT_EQ(error_of(operator_login(env.services, "iss", kPassword, code_now("iss"))).key,
            "operator_login.throttled");
  // An unknown login locks the same way, so the lock does not reveal which logins exist.
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(error_of(operator_login(env.services, "nobody", "not the password", "123456")).key,
              "operator_login.bad_credentials");
  }
  EXPECT_EQ(error_of(operator_login(env.services, "nobody", "not the password", "123456")).key,
            "operator_login.throttled");
}

// The probe's race: 30 parallel wrong logins were all checked and the lock stayed at its base.
TEST_F(BackOfficeTest, ThirtyParallelWrongLoginsCheckFiveAndTheLockStillDoubles) {
  for (const std::string login : {"iss", "nobody"}) {
    std::atomic<int> refused{0};
    std::atomic<int> throttled{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 30; ++i) {
      threads.emplace_back([&] {
        const auto r = operator_login(env.services, login, "not the password", "123456");
        if (!r) ++(error_of(r).key == "operator_login.throttled" ? throttled : refused);
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(refused.load(), 5) << login;
    EXPECT_EQ(throttled.load(), 25) << login;
  }
  const auto base = seconds{env.config.login_lock_base_seconds};
  env.db->read([&](store::ReadTx& tx) {
    const auto op = tx.operators().find_operator_by_login("iss");
    EXPECT_EQ(op->failures, 5);
    EXPECT_EQ(op->locked_until, env.services.now_ms() + duration_cast<milliseconds>(base).count());
    store::AuditFilter f;
    f.action_prefix = "operator.login_failed";
    EXPECT_EQ(tx.audit().audit_entries(f).size(), 5u)
        << "unknown logins have no audit row of their own";
  });
  env.clock.advance(base);
  EXPECT_EQ(error_of(operator_login(env.services, "iss", "not the password", "123456")).key,
            "operator_login.bad_credentials");
  env.db->read([&](store::ReadTx& tx) {
    EXPECT_EQ(tx.operators().find_operator_by_login("iss")->locked_until,
              env.services.now_ms() + 2 * duration_cast<milliseconds>(base).count());
  });
}

TEST_F(BackOfficeTest, LoggingInAgainEndsTheOperatorSessionTheBrowserHad) {
  auto first = operator_login(env.services, "rev", kPassword, code_now("rev"));
  ASSERT_TRUE(first.has_value());
  env.clock.advance(seconds{30});
  auto second = operator_login(env.services, "rev", kPassword, code_now("rev"), *first);
  ASSERT_TRUE(second.has_value());
  EXPECT_FALSE(resolve_operator_session(env.services, *first).has_value());
  EXPECT_TRUE(resolve_operator_session(env.services, *second).has_value());
}

TEST_F(BackOfficeTest, ApplicationGoesFromAppliedToNoticeSent) {
  const auto number = apply("2", "k1");
  EXPECT_EQ(review_queue(env.services, {}).size(), 1u);
  ASSERT_TRUE(decide(env.services, reviewer, number, Decision::approve, "").has_value());
  EXPECT_EQ(status_of(number), "approved");

  auto issued = issue_application(env.services, issuer, number);
  ASSERT_TRUE(issued.has_value()) << error_of(issued).key;
  ASSERT_EQ(issued->size(), 2u);
  EXPECT_EQ((*issued)[0].issuance_number, number + "-01");
  EXPECT_EQ((*issued)[1].terminal, "T02");
  EXPECT_NE((*issued)[0].serial_hex, (*issued)[1].serial_hex);
  EXPECT_EQ(status_of(number), "issued");
  const auto dossier = application_dossier(env.services, number);
  ASSERT_EQ(dossier->certificates.size(), 2u);
  for (const auto& c : dossier->certificates) {
    EXPECT_EQ(domain::state_key(c.status), "issued");
    EXPECT_EQ(c.key_source, store::KeySource::generated);
    EXPECT_TRUE(c.sealed_key.has_value());
    EXPECT_TRUE(c.sealed_pickup_code.has_value());
    EXPECT_FALSE(c.der.empty());
    // 39 months from 2026-11-24 is 2030-02-24.
    EXPECT_EQ(util::format_jst(util::TimePoint{milliseconds{c.not_after}}).substr(0, 10),
              "2030-02-24");
  }
  // Issued twice: refused, nothing more stored.
  EXPECT_EQ(error_of(issue_application(env.services, issuer, number)).key,
            review_error_key(ReviewError::wrong_state));

  // The letters page: one letter to print, nothing to record yet.
  EXPECT_EQ(letter_queue(env.services).to_print, std::vector<std::string>{number});
  EXPECT_TRUE(letter_queue(env.services).to_mail.empty());

  auto batch = print_notice_letters(env.services, issuer);
  ASSERT_TRUE(batch.has_value());
  EXPECT_TRUE(batch->pdf.starts_with("%PDF-"));
  EXPECT_EQ(batch->application_numbers, std::vector<std::string>{number});
  const auto printed = application_dossier(env.services, number);
  for (const auto& c : printed->certificates) {
    EXPECT_FALSE(c.sealed_pickup_code.has_value()) << "printed codes must be erased";
  }
  EXPECT_TRUE(print_notice_letters(env.services, issuer)->pdf.empty());
  const auto to_mail = letter_queue(env.services);
  EXPECT_TRUE(to_mail.to_print.empty());
  ASSERT_EQ(to_mail.to_mail.size(), 1u);
  EXPECT_EQ(to_mail.to_mail[0].number, number);
  EXPECT_TRUE(to_mail.letters.at(to_mail.to_mail[0].id).printed_at.has_value());

  EXPECT_EQ(
      error_of(record_registered_mail(env.services, issuer, number, "12-34", "2026-11-24")).key,
      review_error_key(ReviewError::tracking_number));
  EXPECT_EQ(
      error_of(record_registered_mail(env.services, issuer, number, "1234-5678-901", "2026-11-25"))
          .key,
      review_error_key(ReviewError::mailed_on));
  ASSERT_TRUE(record_registered_mail(env.services, issuer, number, "１２３４－５６７８－９０１",
                                     "2026-11-24")
                  .has_value());
  EXPECT_EQ(status_of(number), "notice_sent");
  const auto letter = application_dossier(env.services, number)->letter;
  EXPECT_EQ(letter->tracking_number, "12345678901");
  EXPECT_EQ(letter->mailed_on, "2026-11-24");
  EXPECT_TRUE(letter_queue(env.services).to_mail.empty());
  // マイページ: the letter's registered mail and each certificate's 発行番号 by serial.
  const auto mine = my_page(env.services, user.institution.id);
  ASSERT_EQ(mine.certificate_applications.size(), 1u);
  EXPECT_EQ(mine.letters.at(mine.certificate_applications[0].id).tracking_number, "12345678901");
  ASSERT_EQ(mine.certificates.size(), 2u);
  for (std::size_t i = 0; i < issued->size(); ++i) {
    EXPECT_EQ(mine.certificates[i].serial_hex, (*issued)[i].serial_hex);
    EXPECT_EQ(mine.certificates[i].issuance_number, (*issued)[i].issuance_number);
  }
  EXPECT_EQ(
      error_of(record_registered_mail(env.services, issuer, number, "12345678901", "2026-11-24"))
          .key,
      review_error_key(ReviewError::already_recorded));

  bool issued_mail = false;
  bool mailed_mail = false;
  for (const auto& m : env.due_mail()) {
    issued_mail = issued_mail || m.subject.find("電子証明書を発行しました") != std::string::npos;
    mailed_mail = mailed_mail || (m.subject.find("発行通知書を発送しました") != std::string::npos &&
                                  m.body.find("12345678901") != std::string::npos);
  }
  EXPECT_TRUE(issued_mail);
  EXPECT_TRUE(mailed_mail);
  EXPECT_TRUE(verify_audit_log(env.services).ok);
}

TEST_F(BackOfficeTest, RolesAndTheSeparateIssuerRule) {
  const auto number = apply("1", "k2");
  EXPECT_EQ(error_of(decide(env.services, issuer, number, Decision::approve, "")).key,
            review_error_key(ReviewError::forbidden));
  EXPECT_EQ(status_of(number), "applied");
  ASSERT_TRUE(decide(env.services, admin, number, Decision::approve, "").has_value());
  EXPECT_EQ(error_of(issue_application(env.services, reviewer, number)).key,
            review_error_key(ReviewError::forbidden));
  EXPECT_EQ(error_of(issue_application(env.services, admin, number)).key,
            review_error_key(ReviewError::same_operator));
  EXPECT_EQ(status_of(number), "approved");
  env.config.separate_issuer = false;
  EXPECT_TRUE(issue_application(env.services, admin, number).has_value());
}

TEST_F(BackOfficeTest, SendBackAndRejectNeedAReasonTheClinicReceives) {
  const auto a = apply("1", "k3");
  const auto b = apply("1", "k4");
  EXPECT_EQ(error_of(decide(env.services, reviewer, a, Decision::send_back, "  ")).key,
            review_error_key(ReviewError::note_required));
  ASSERT_TRUE(decide(env.services, reviewer, a, Decision::send_back, "医療機関名称が異なります。")
                  .has_value());
  auto record = find_certificate_application(env.services, user.institution.id, a);
  EXPECT_EQ(domain::state_key(record->status), "returned");
  EXPECT_EQ(record->status_note, "医療機関名称が異なります。");
  ASSERT_TRUE(
      decide(env.services, reviewer, b, Decision::reject, "重複した申請です。").has_value());
  EXPECT_EQ(status_of(b), "rejected");
  // A decided application cannot be decided again.
  EXPECT_EQ(error_of(decide(env.services, reviewer, b, Decision::approve, "")).key,
            review_error_key(ReviewError::wrong_state));
  int with_note = 0;
  for (const auto& m : env.due_mail()) {
    if (m.body.find("医療機関名称が異なります。") != std::string::npos ||
        m.body.find("重複した申請です。") != std::string::npos) {
      ++with_note;
    }
  }
  EXPECT_EQ(with_note, 2);
}

TEST_F(BackOfficeTest, CsrIsCheckedBeforeAnythingIsIssued) {
  const auto number = apply("1", "k5");
  ASSERT_TRUE(decide(env.services, reviewer, number, Decision::approve, "").has_value());
  auto bad = issue_application(env.services, issuer, number, {{1, "not a csr"}});
  EXPECT_EQ(error_of(bad).key, review_error_key(ReviewError::bad_csr));
  EXPECT_EQ(error_of(bad).detail_key, "csr.unreadable");
  EXPECT_EQ(error_of(bad).item, 1);
  EXPECT_TRUE(application_dossier(env.services, number)->certificates.empty());
  EXPECT_EQ(status_of(number), "approved");
}

TEST_F(BackOfficeTest, ARefusedCsrIsNamedByItsCertificate) {
  // The page puts the reason beside the box of the certificate whose CSR was refused.
  const auto number = apply("2", "k5b");
  ASSERT_TRUE(decide(env.services, reviewer, number, Decision::approve, "").has_value());
  auto bad = issue_application(env.services, issuer, number, {{2, "-----BEGIN nonsense"}});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(error_of(bad).key, review_error_key(ReviewError::bad_csr));
  EXPECT_EQ(error_of(bad).item, 2);
  // A refusal that is not about a CSR names no certificate.
  auto by_approver = issue_application(env.services, reviewer, number);
  ASSERT_FALSE(by_approver.has_value());
  EXPECT_EQ(error_of(by_approver).item, 0);
  EXPECT_TRUE(application_dossier(env.services, number)->certificates.empty());
}

TEST_F(BackOfficeTest, DashboardListsOverdueApplicationsFirst) {
  const auto old_one = apply("1", "k6");  // due 2026-12-01
  env.clock.set(sys_days{2026y / December / 3d} + hours{1});
  const auto new_one = apply("1", "k7");  // due 2026-12-10, so posted by 2026-12-08
  const auto rows = dashboard(env.services);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].application.number, old_one);
  EXPECT_TRUE(rows[0].overdue);
  EXPECT_LT(rows[0].business_days_left, 0);
  EXPECT_FALSE(rows[1].overdue);
  EXPECT_EQ(rows[1].ship_by, "2026-12-08");
  EXPECT_EQ(rows[1].business_days_left, 3);
}

TEST_F(BackOfficeTest, AuditChainDetectsAChangedOrDeletedEntry) {
  const auto number = apply("1", "k8");
  ASSERT_TRUE(decide(env.services, reviewer, number, Decision::approve, "").has_value());
  auto ok = verify_audit_log(env.services);
  ASSERT_TRUE(ok.ok) << ok.problem;
  EXPECT_GT(ok.entries, 5);
  ASSERT_EQ(tamper("DROP TRIGGER audit_log_no_update; "
                   "UPDATE audit_log SET detail = '{}' WHERE seq = 3;"),
            0);
  auto changed = verify_audit_log(env.services);
  EXPECT_FALSE(changed.ok);
  EXPECT_EQ(changed.first_bad_seq, 3);
}

TEST_F(BackOfficeTest, ACheckpointDetectsDeletedNewestEntries) {
  const auto number = apply("1", "k9");
  ASSERT_TRUE(decide(env.services, reviewer, number, Decision::approve, "").has_value());
  const auto before = verify_audit_log(env.services);
  ASSERT_TRUE(before.ok && before.head) << before.problem;
  EXPECT_EQ(before.head->seq, before.entries);
  const auto checkpoint = parse_audit_checkpoint(before.head->text());
  ASSERT_TRUE(checkpoint);
  EXPECT_EQ(checkpoint->hash, before.head_hash);
  EXPECT_TRUE(verify_audit_log(env.services, checkpoint).ok);

  // Cutting off the newest entry leaves a valid chain; only the checkpoint shows the loss.
  ASSERT_EQ(
      tamper(fmt::format("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = {};",
                         before.entries)),
      0);
  EXPECT_TRUE(verify_audit_log(env.services).ok);
  const auto cut = verify_audit_log(env.services, checkpoint);
  EXPECT_FALSE(cut.ok);
  EXPECT_EQ(cut.first_bad_seq, before.entries);
  EXPECT_NE(cut.problem.find("deleted"), std::string::npos) << cut.problem;

  // A checkpoint whose hash is not the entry's: the log was rewritten.
  auto wrong = *checkpoint;
  wrong.seq = 2;
  EXPECT_EQ(verify_audit_log(env.services, wrong).first_bad_seq, 2);

  for (const auto* bad : {"", "12", ":abc", "0:", "x:00", "3:ABC"}) {
    EXPECT_FALSE(parse_audit_checkpoint(bad)) << bad;
  }
}

TEST(PickupCode, SixteenUnambiguousSymbolsTypedAnyWay) {
  const std::regex shape("[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}");
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const auto code = new_pickup_code();
    EXPECT_TRUE(std::regex_match(code, shape)) << code;
    seen.insert(code);
  }
  EXPECT_EQ(seen.size(), 200u);
  EXPECT_EQ(normalize_pickup_code("abcd-efgh-jkln-pq23"), "ABCDEFGHJKLNPQ23");
  EXPECT_EQ(normalize_pickup_code("ＡＢＣＤ ＥＦＧＨ－ＪＫＬＮ－ＰＱ２３"), "ABCDEFGHJKLNPQ23");
  EXPECT_EQ(normalize_pickup_code("ABCD-EFGH-JKLN-PQ2O"), "");  // O is not in the alphabet
  EXPECT_EQ(normalize_pickup_code("ABCD-EFGH-JKLN-PQ2"), "");
}

}  // namespace
}  // namespace onshi::app
