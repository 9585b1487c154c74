// Issue 14 §2 and §7 in the back office's use cases: decisions that carry their confirmation,
// printing the letters the operator chose, 新しい取得コードで再印刷 (the old codes void, the new
// PDF's codes the ones stored), the 発送期限 and 次の作業 of each application, and the menu counts.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <regex>
#include <set>

#include "app/ca/issuance.hpp"
#include "app/office/notice_letters.hpp"
#include "app/office/review.hpp"
#include "back_office_fixture.hpp"
#include "support/error_of.hpp"
#include "util/secrets.hpp"

namespace onshi::app {
namespace {

using onshi::test::error_of;
using test::BackOfficeTest;

// The pickup codes a PDF shows, read back with poppler's pdftotext as a person would read them.
std::vector<std::string> codes_in(const std::string& pdf, const std::filesystem::path& dir) {
  const auto file = dir / "letter.pdf";
  std::ofstream(file, std::ios::binary) << pdf;
  std::FILE* pipe = ::popen(("pdftotext -enc UTF-8 '" + file.string() + "' -").c_str(), "r");
  std::string text;
  char buffer[4096];
  for (std::size_t n = 0; pipe && (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
    text.append(buffer, n);
  if (pipe) ::pclose(pipe);
  static const std::regex code("[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}");
  std::vector<std::string> out;
  for (std::sregex_iterator it(text.begin(), text.end(), code), end; it != end; ++it) {
    if (std::ranges::find(out, it->str()) == out.end()) out.push_back(it->str());
  }
  return out;
}

std::set<std::string> stored_hashes(const Services& s, const std::string& number) {
  std::set<std::string> out;
  const auto dossier = application_dossier(s, number);
  for (const auto& c : dossier->certificates) out.insert(c.pickup_code_hash);
  return out;
}

std::string hash_of(const std::string& code) {
  return util::sha256_hex(normalize_pickup_code(code));
}

class OfficeStepsTest : public BackOfficeTest {
 protected:
  std::string issued(const std::string& count, const std::string& key) {
    const auto n = apply(count, key);
    EXPECT_TRUE(decide(env.services, reviewer, n, Decision::approve, "").has_value());
    EXPECT_TRUE(issue_application(env.services, issuer, n).has_value());
    return n;
  }
};

TEST_F(OfficeStepsTest, ADecisionWithAStaleConfirmationChangesNothing) {
  const auto number = apply("2", "stale-1");
  const auto seen = confirmation_token(application_dossier(env.services, number)->application);
  // Another reviewer sends it back and the clinic resubmits meanwhile: the state moved on.
  ASSERT_TRUE(decide(env.services, admin, number, Decision::send_back, "枚数を確認").has_value());
  EXPECT_EQ(error_of(decide(env.services, reviewer, number, Decision::approve, "", seen)).key,
            review_error_key(ReviewError::confirmation_stale));
  EXPECT_EQ(status_of(number), "returned");

  const auto other = apply("1", "stale-2");
  const auto now = confirmation_token(application_dossier(env.services, other)->application);
  ASSERT_TRUE(decide(env.services, reviewer, other, Decision::approve, "", now).has_value());
  EXPECT_EQ(status_of(other), "approved");
  // Issuing with the token of the page shown before approval: refused, nothing signed.
  EXPECT_EQ(error_of(issue_application(env.services, issuer, other, {}, now)).key,
            review_error_key(ReviewError::confirmation_stale));
  EXPECT_TRUE(application_dossier(env.services, other)->certificates.empty());
  const auto fresh = confirmation_token(application_dossier(env.services, other)->application);
  ASSERT_TRUE(issue_application(env.services, issuer, other, {}, fresh).has_value());
  EXPECT_EQ(status_of(other), "issued");
}

TEST_F(OfficeStepsTest, OnlyTheChosenLettersArePrinted) {
  const auto first = issued("1", "print-1");
  const auto second = issued("2", "print-2");
  auto batch = print_notice_letters(env.services, issuer, {}, {second});
  ASSERT_TRUE(batch.has_value()) << error_of(batch).key;
  EXPECT_EQ(batch->application_numbers, std::vector<std::string>{second});
  EXPECT_EQ(codes_in(batch->pdf, env.dir.path()).size(), 2u);
  EXPECT_EQ(letter_queue(env.services).to_print, std::vector<std::string>{first});
  EXPECT_TRUE(application_dossier(env.services, first)->certificates[0].sealed_pickup_code);

  // A letter printed meanwhile (another tab) refuses the whole batch: first stays unprinted.
  EXPECT_EQ(error_of(print_notice_letters(env.services, issuer, {}, {first, second})).key,
            review_error_key(ReviewError::letters_changed));
  EXPECT_EQ(letter_queue(env.services).to_print, std::vector<std::string>{first});
  std::vector<std::string> too_many(kMaxLettersPerBatch + 1, first);
  EXPECT_EQ(error_of(print_notice_letters(env.services, issuer, {}, too_many)).key,
            review_error_key(ReviewError::too_many_letters));
}

TEST_F(OfficeStepsTest, AReprintVoidsTheOldCodesAndPrintsNewOnes) {
  const auto number = issued("2", "reprint-1");
  EXPECT_EQ(error_of(reprint_notice_letter(env.services, issuer, number)).key,
            review_error_key(ReviewError::not_printed));
  EXPECT_EQ(error_of(reprint_notice_letter(env.services, reviewer, number)).key,
            review_error_key(ReviewError::forbidden));
  auto first = print_notice_letters(env.services, issuer, {}, {number});
  ASSERT_TRUE(first.has_value());
  const auto old_codes = codes_in(first->pdf, env.dir.path());
  ASSERT_EQ(old_codes.size(), 2u);
  for (const auto& c : old_codes)
    EXPECT_TRUE(stored_hashes(env.services, number).contains(hash_of(c)));

  env.clock.advance(std::chrono::days{30});
  auto again = reprint_notice_letter(env.services, issuer, number);
  ASSERT_TRUE(again.has_value()) << error_of(again).key;
  const auto new_codes = codes_in(again->pdf, env.dir.path());
  ASSERT_EQ(new_codes.size(), 2u);
  const auto hashes = stored_hashes(env.services, number);
  for (const auto& c : old_codes) EXPECT_FALSE(hashes.contains(hash_of(c))) << "old code " << c;
  for (const auto& c : new_codes) EXPECT_TRUE(hashes.contains(hash_of(c))) << "new code " << c;
  const auto dossier = application_dossier(env.services, number);
  for (const auto& c : dossier->certificates) {
    // The deadline counts again from the reprint (CPIPCS 4.4.4), and no copy of the code is kept.
    EXPECT_EQ(c.pickup_expires_at,
              env.services.now_ms() + env.config.pickup_valid_days * 86'400'000LL);
    EXPECT_FALSE(c.sealed_pickup_code.has_value());
  }
  EXPECT_EQ(dossier->history.front().action, "letter.reprint");
  // Still printed and waiting for its 書留: the reprint does not put it back in the print list.
  EXPECT_TRUE(letter_queue(env.services).to_print.empty());
  EXPECT_EQ(letter_queue(env.services).to_mail.size(), 1u);
}

TEST_F(OfficeStepsTest, AReprintAfterPostingIsResentByRegisteredMail) {
  const auto number = issued("1", "resend-1");
  ASSERT_TRUE(print_notice_letters(env.services, issuer, {}, {number}).has_value());
  ASSERT_TRUE(record_registered_mail(env.services, issuer, number, "11111111111", "2026-11-24")
                  .has_value());
  EXPECT_EQ(status_of(number), "notice_sent");
  EXPECT_EQ(office_counts(env.services).to_mail, 0);

  // The letter never arrived: new codes, and the void letter's resend waits for its 書留.
  env.clock.advance(std::chrono::days{7});  // Tuesday 12-01
  ASSERT_TRUE(reprint_notice_letter(env.services, issuer, number).has_value());
  const auto q = letter_queue(env.services);
  ASSERT_EQ(q.to_mail.size(), 1u);
  EXPECT_EQ(q.to_mail[0].number, number);
  EXPECT_TRUE(q.letters.at(q.to_mail[0].id).resend_due);
  EXPECT_EQ(office_counts(env.services).to_mail, 1);
  // The application's own page says what is left to do: 書留記録 again.
  const auto dossier = application_dossier(env.services, number);
  EXPECT_EQ(work_of(env.services, dossier->application, dossier->letter).next, NextStep::mail);
  // And the dashboard lists it with that step, though the application stays 通知書発送済.
  const auto rows = dashboard(env.services);
  const auto row = std::ranges::find_if(
      rows, [&](const DashboardRow& r) { return r.application.number == number; });
  ASSERT_NE(row, rows.end());
  EXPECT_EQ(row->next, NextStep::mail);

  // Before the reprint, or under the first mailing's number: refused.
  EXPECT_EQ(
      error_of(record_registered_mail(env.services, issuer, number, "22222222222", "2026-11-30"))
          .key,
      review_error_key(ReviewError::mailed_on));
  EXPECT_EQ(
      error_of(record_registered_mail(env.services, issuer, number, "11111111111", "2026-12-01"))
          .key,
      review_error_key(ReviewError::tracking_number_used));
  ASSERT_TRUE(record_registered_mail(env.services, issuer, number, "22222222222", "2026-12-01")
                  .has_value());
  const auto letter = application_dossier(env.services, number)->letter;
  EXPECT_EQ(letter->tracking_number, "22222222222");
  EXPECT_EQ(letter->mailed_on, "2026-12-01");
  EXPECT_FALSE(letter->resend_due);
  EXPECT_EQ(status_of(number), "notice_sent");
  EXPECT_EQ(
      work_of(env.services, application_dossier(env.services, number)->application, letter).next,
      NextStep::none);
  EXPECT_TRUE(std::ranges::none_of(dashboard(env.services), [&](const DashboardRow& r) {
    return r.application.number == number;
  })) << "recorded: off the dashboard again";
  EXPECT_TRUE(letter_queue(env.services).to_mail.empty());
  // Once recorded, neither number can be recorded again, for this letter or another.
  EXPECT_EQ(
      error_of(record_registered_mail(env.services, issuer, number, "33333333333", "2026-12-01"))
          .key,
      review_error_key(ReviewError::already_recorded));
  const auto other = issued("1", "resend-2");
  ASSERT_TRUE(print_notice_letters(env.services, issuer, {}, {other}).has_value());
  EXPECT_EQ(
      error_of(record_registered_mail(env.services, issuer, other, "11111111111", "2026-12-01"))
          .key,
      review_error_key(ReviewError::tracking_number_used));
}

TEST_F(OfficeStepsTest, DueDatesAndNextStepsFollowTheWork) {
  // Applied Tuesday 2026-11-24: arrival promised 2026-12-01, so posted by Friday 11-27.
  const auto review = apply("1", "due-1");
  const auto rows = dashboard(env.services);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].application.expected_notice_on, "2026-12-01");
  EXPECT_EQ(rows[0].ship_by, "2026-11-27");
  EXPECT_EQ(rows[0].next, NextStep::review);
  EXPECT_EQ(rows[0].business_days_left, 3);
  EXPECT_FALSE(rows[0].overdue);

  const auto print = issued("1", "due-2");
  const auto mail = issued("1", "due-3");
  ASSERT_TRUE(print_notice_letters(env.services, issuer, {}, {mail}).has_value());
  const auto counts = office_counts(env.services);
  EXPECT_EQ(counts.to_review, 1);
  EXPECT_EQ(counts.to_issue, 0);
  EXPECT_EQ(counts.to_print, 1);
  EXPECT_EQ(counts.to_mail, 1);
  EXPECT_EQ(counts.overdue, 0);

  QueueFilter unprinted;
  unprinted.status = "issued_unprinted";
  const auto a = review_queue_rows(env.services, unprinted);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].application.number, print);
  EXPECT_EQ(a[0].next, NextStep::print);
  QueueFilter unmailed;
  unmailed.status = "issued_unmailed";
  const auto b = review_queue_rows(env.services, unmailed);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].application.number, mail);
  EXPECT_EQ(b[0].next, NextStep::mail);

  // Monday 11-30: past the 発送期限 though the arrival date is tomorrow.
  env.clock.advance(std::chrono::days{6});
  const auto late = dashboard(env.services);
  ASSERT_EQ(late.size(), 3u);
  for (const auto& r : late) {
    EXPECT_TRUE(r.overdue) << r.application.number;
    EXPECT_EQ(r.business_days_left, -1) << r.application.number;
  }
  EXPECT_EQ(office_counts(env.services).overdue, 3);
  // Posted: nothing left to be late for.
  ASSERT_TRUE(
      record_registered_mail(env.services, issuer, mail, "12345678901", "2026-11-30").has_value());
  EXPECT_EQ(office_counts(env.services).overdue, 2);
  (void)review;
}

}  // namespace
}  // namespace onshi::app
