// What operators type and what can go wrong around it: reasons for the clinic, operator names,
// tracking numbers used twice, dates before the letter existed, a CSR given for a certificate the
// application does not have, a print batch that could not be delivered, and the audit check's
// message. Every refusal changes nothing.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "app/ca/issuance.hpp"
#include "app/core/audit.hpp"
#include "app/office/notice_letters.hpp"
#include "back_office_fixture.hpp"
#include "support/error_of.hpp"

namespace onshi::app {
namespace {

using onshi::test::error_of;

using test::BackOfficeTest;
using test::kPassword;
using namespace std::chrono;

std::int64_t audit_entries(const Services& s) {
  return verify_audit_log(s).entries;
}

TEST_F(BackOfficeTest, AReasonOfOnlyFullWidthSpacesIsNoReason) {
  const auto number = apply("1", "n1");
  const auto before = audit_entries(env.services);
  for (const auto* blank : {"　", "　\t　", " \r\n　 "}) {
    EXPECT_EQ(error_of(decide(env.services, reviewer, number, Decision::send_back, blank)).key,
              review_error_key(ReviewError::note_required))
        << blank;
    EXPECT_EQ(error_of(decide(env.services, reviewer, number, Decision::reject, blank)).key,
              review_error_key(ReviewError::note_required));
  }
  EXPECT_EQ(status_of(number), "applied");
  EXPECT_EQ(audit_entries(env.services), before);
}

TEST_F(BackOfficeTest, AReasonKeepsItsLinesButNoOtherControlCharacters) {
  const auto number = apply("1", "n2");
  const std::string nul("理由\0です", sizeof("理由\0です") - 1);
  for (const auto& bad : std::vector<std::string>{"理由\x1b[31m", nul, "理由\x07", "\xff\xfe"}) {
    EXPECT_EQ(error_of(decide(env.services, reviewer, number, Decision::send_back, bad)).key,
              review_error_key(ReviewError::note_invalid));
  }
  EXPECT_EQ(status_of(number), "applied");
  // A browser sends the textarea's line breaks as CRLF; the clinic reads them as lines.
  ASSERT_TRUE(decide(env.services, reviewer, number, Decision::send_back,
                     "　医療機関名称が異なります。\r\n所在地もご確認ください。\t（審査）　")
                  .has_value());
  EXPECT_EQ(find_certificate_application(env.services, user.institution.id, number)->status_note,
            "医療機関名称が異なります。\n所在地もご確認ください。\t(審査)");
}

TEST_F(BackOfficeTest, AReasonIsMeasuredAsTyped) {
  const auto a = apply("1", "n3");
  // 1,000 「㍿」 fit the textarea's maxlength; NFKC makes each 株式会社, which is not the
  // operator's doing.
  std::string squares;
  for (int i = 0; i < 1000; ++i) squares += "㍿";
  ASSERT_TRUE(decide(env.services, reviewer, a, Decision::send_back, squares).has_value());
  const auto b = apply("1", "n4");
  EXPECT_EQ(error_of(decide(env.services, reviewer, b, Decision::send_back, squares + "㍿")).key,
            review_error_key(ReviewError::note_too_long));
  // Each line break counts once, as the textarea counts it, though it is sent as two bytes.
  std::string lines;
  for (int i = 0; i < 500; ++i) lines += "あ\r\n";
  EXPECT_TRUE(decide(env.services, reviewer, b, Decision::send_back, lines).has_value());
}

TEST_F(BackOfficeTest, AnOperatorNameOfOnlyAFullWidthSpaceIsRefused) {
  auto blank = create_operator(env.services, {"blank", "　", "reviewer", kPassword});
  ASSERT_FALSE(blank.has_value());
  EXPECT_EQ(error_of(blank).fields.at(0).key, "operator_form.display_name_empty");
  auto control = create_operator(env.services, {"ctrl", "山田\x1b太郎", "reviewer", kPassword});
  ASSERT_FALSE(control.has_value());
  EXPECT_EQ(error_of(control).fields.at(0).key, "operator_form.display_name_invalid");
  EXPECT_FALSE(cli_actor(env.services, "blank"));
  EXPECT_FALSE(cli_actor(env.services, "ctrl"));
}

class PrintedLettersTest : public BackOfficeTest {
 protected:
  // Two applications issued and printed on 2026-11-24.
  void SetUp() override {
    BackOfficeTest::SetUp();
    first = issued(apply("1", "p1"));
    second = issued(apply("1", "p2"));
    ASSERT_TRUE(print_notice_letters(env.services, issuer).has_value());
  }

  std::string issued(const std::string& number) {
    EXPECT_TRUE(decide(env.services, reviewer, number, Decision::approve, "").has_value());
    EXPECT_TRUE(issue_application(env.services, issuer, number).has_value());
    return number;
  }

  std::string first, second;
};

TEST_F(PrintedLettersTest, ATrackingNumberRecordsOneLetterOnly) {
  ASSERT_TRUE(record_registered_mail(env.services, issuer, first, "1234-5678-901", "2026-11-24")
                  .has_value());
  const auto before = audit_entries(env.services);
  EXPECT_EQ(error_of(record_registered_mail(env.services, issuer, second, "１２３４５６７８９０１",
                                            "2026-11-24"))
                .key,
            review_error_key(ReviewError::tracking_number_used));
  EXPECT_EQ(status_of(second), "issued");
  EXPECT_FALSE(application_dossier(env.services, second)->letter->tracking_number.has_value());
  EXPECT_EQ(audit_entries(env.services), before);
  EXPECT_TRUE(record_registered_mail(env.services, issuer, second, "1234-5678-902", "2026-11-24")
                  .has_value());
}

TEST_F(PrintedLettersTest, ALetterIsNotMailedBeforeItWasPrinted) {
  EXPECT_EQ(
      error_of(record_registered_mail(env.services, issuer, first, "12345678901", "2026-11-23"))
          .key,
      review_error_key(ReviewError::mailed_on));
  EXPECT_EQ(
      error_of(record_registered_mail(env.services, issuer, first, "12345678901", "1900-01-01"))
          .key,
      review_error_key(ReviewError::mailed_on));
  EXPECT_EQ(status_of(first), "issued");
  env.clock.advance(days{2});
  EXPECT_TRUE(
      record_registered_mail(env.services, issuer, first, "12345678901", "2026-11-25").has_value());
}

TEST_F(BackOfficeTest, ThePrintDateIsTheDateInJapan) {
  const auto number = apply("1", "j1");
  ASSERT_TRUE(decide(env.services, reviewer, number, Decision::approve, "").has_value());
  ASSERT_TRUE(issue_application(env.services, issuer, number).has_value());
  // 16:00 UTC on the 24th is 01:00 on the 25th in Japan.
  env.clock.set(sys_days{2026y / November / 24d} + hours{16});
  ASSERT_TRUE(print_notice_letters(env.services, issuer).has_value());
  EXPECT_EQ(
      error_of(record_registered_mail(env.services, issuer, number, "12345678901", "2026-11-24"))
          .key,
      review_error_key(ReviewError::mailed_on));
  EXPECT_TRUE(record_registered_mail(env.services, issuer, number, "12345678901", "2026-11-25")
                  .has_value());
}

TEST_F(BackOfficeTest, AnUnprintedLetterIsNotMailedWhateverItsNumber) {
  const auto printed = apply("1", "u1");
  const auto waiting = apply("1", "u2");
  for (const auto& n : {printed, waiting}) {
    ASSERT_TRUE(decide(env.services, reviewer, n, Decision::approve, "").has_value());
    if (n == printed) {
      ASSERT_TRUE(issue_application(env.services, issuer, n).has_value());
      ASSERT_TRUE(print_notice_letters(env.services, issuer).has_value());
    }
  }
  ASSERT_TRUE(issue_application(env.services, issuer, waiting).has_value());
  ASSERT_TRUE(record_registered_mail(env.services, issuer, printed, "12345678901", "2026-11-24")
                  .has_value());
  // The letter of `waiting` is not printed yet: that is what is wrong, not the reused number.
  EXPECT_EQ(
      error_of(record_registered_mail(env.services, issuer, waiting, "12345678901", "2026-11-24"))
          .key,
      review_error_key(ReviewError::wrong_state));
}

TEST_F(BackOfficeTest, ABatchThatCannotBeDeliveredLeavesTheLettersUnprinted) {
  const auto number = apply("2", "d1");
  ASSERT_TRUE(decide(env.services, reviewer, number, Decision::approve, "").has_value());
  ASSERT_TRUE(issue_application(env.services, issuer, number).has_value());
  const auto before = audit_entries(env.services);
  std::string seen;
  EXPECT_THROW(print_notice_letters(env.services, issuer,
                                    [&](const LetterBatch& b) {
                                      seen = b.pdf;
                                      throw std::runtime_error("disk full");
                                    }),
               std::runtime_error);
  EXPECT_TRUE(seen.starts_with("%PDF-"));
  EXPECT_EQ(letter_queue(env.services).to_print, std::vector<std::string>{number});
  const auto waiting = application_dossier(env.services, number);
  for (const auto& c : waiting->certificates) {
    EXPECT_TRUE(c.sealed_pickup_code.has_value()) << "the codes wait for the next batch";
  }
  EXPECT_EQ(audit_entries(env.services), before);
  // Delivered: the same letters, now printed.
  int delivered = 0;
  auto batch = print_notice_letters(env.services, issuer, [&](const LetterBatch&) { ++delivered; });
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(delivered, 1);
  EXPECT_EQ(batch->application_numbers, std::vector<std::string>{number});
  // Nothing to print: nothing delivered.
  EXPECT_TRUE(print_notice_letters(env.services, issuer, [&](const LetterBatch&) {
                ++delivered;
              })->pdf.empty());
  EXPECT_EQ(delivered, 1);
}

TEST_F(BackOfficeTest, ACsrForACertificateTheApplicationDoesNotHaveIsRefused) {
  const auto number = apply("1", "c1");
  ASSERT_TRUE(decide(env.services, reviewer, number, Decision::approve, "").has_value());
  for (int index : {0, 2, 5}) {
    auto bad = issue_application(env.services, issuer, number, {{index, "whatever"}});
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(error_of(bad).detail_key, "csr.no_such_certificate") << index;
    EXPECT_EQ(error_of(bad).item, index);
  }
  EXPECT_TRUE(application_dossier(env.services, number)->certificates.empty());
}

TEST_F(BackOfficeTest, TheAuditCheckSaysWhatBrokeInTheCatalogue) {
  const auto number = apply("1", "a1");
  ASSERT_TRUE(decide(env.services, reviewer, number, Decision::approve, "").has_value());
  ASSERT_EQ(tamper("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 2;"), 0);
  const auto v = verify_audit_log(env.services);
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(v.problem_key, "audit_check.missing");
  EXPECT_EQ(v.first_bad_seq, 3);
  EXPECT_EQ(v.other_seq, 2);
  const auto text = fmt::format(fmt::runtime(env.services.messages.get(v.problem_key)),
                                v.first_bad_seq, v.other_seq);
  EXPECT_EQ(text, "番号 2 の記録がありません。次に残っている記録は番号 3 です");
}

}  // namespace
}  // namespace onshi::app
