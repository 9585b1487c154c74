// 再申請: a 差戻し application corrected by the clinic goes back to 申請済 under the same number,
// with the form pre-filled from what was sent; only the institution's own returned applications.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>

#include "app/applications/certificate_applications.hpp"
#include "app/office/operators.hpp"
#include "app/office/review.hpp"
#include "app_test_env.hpp"
#include "clinic_fixture.hpp"
#include "support/error_of.hpp"

namespace onshi::app {
namespace {

using onshi::test::error_of;

using namespace std::chrono;

class ResubmissionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env.clock.set(sys_days{2026y / November / 24d} + hours{1});  // 10:00 in Japan, a Tuesday
    user = test::logged_in_clinic(env.services);
    ASSERT_TRUE(finalize_usage_application(env.services, user, test::usage_form()).has_value());
    ASSERT_TRUE(
        create_operator(env.services, {"rev", "審査 担当", "reviewer", "operator password 2026"})
            .has_value());
    reviewer = *cli_actor(env.services, "rev");
    auto applied = submit_certificate_application(env.services, user, test::certificate_form());
    ASSERT_TRUE(applied.has_value());
    number = applied->application.number;
    ASSERT_TRUE(
        decide(env.services, reviewer, number, Decision::send_back, "医療機関名称が異なります。")
            .has_value());
  }

  store::CertificateApplicationRecord record() {
    return *find_certificate_application(env.services, user.institution.id, number);
  }

  test::TestEnv env;
  SessionUser user;
  Actor reviewer;
  std::string number;
};

TEST_F(ResubmissionTest, TheCorrectedApplicationIsAppliedAgainUnderItsNumber) {
  // Two business days later (Thursday), the clinic corrects the name and the count.
  env.clock.advance(hours{48});
  auto form = form_for_correction(env.services, user, number);
  ASSERT_TRUE(form.has_value());
  EXPECT_EQ(form->institution_name, "テストクリニック");
  EXPECT_EQ(form->postal_code, "104-0061");
  EXPECT_EQ(form->institution_code, "13-1-0123455");  // as the form shows it
  EXPECT_FALSE(form->idempotency_key.empty());
  form->institution_name = "医療法人テスト会 テストクリニック";
  form->certificates = "2";

  auto again = resubmit_certificate_application(env.services, user, number, *form);
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(again->repeated);
  const auto a = record();
  EXPECT_EQ(a.number, number);
  EXPECT_EQ(domain::state_key(a.status), "applied");
  EXPECT_EQ(a.status_note, "");
  EXPECT_EQ(a.institution_name, "医療法人テスト会 テストクリニック");
  EXPECT_EQ(a.certificates, 2);
  EXPECT_EQ(a.total_yen, 3300);
  EXPECT_EQ(a.applied_on, "2026-11-26");
  EXPECT_EQ(a.expected_notice_on, "2026-12-03");
  // It is in the review queue again.
  bool queued = false;
  for (const auto& q : review_queue(env.services, {})) queued = queued || q.number == number;
  EXPECT_TRUE(queued);

  // The same form sent twice (a double click) does nothing more.
  auto twice = resubmit_certificate_application(env.services, user, number, *form);
  ASSERT_TRUE(twice.has_value());
  EXPECT_TRUE(twice->repeated);
  // Another correction is refused: it is no longer 差戻し.
  form->idempotency_key = "another-key";
  EXPECT_EQ(error_of(resubmit_certificate_application(env.services, user, number, *form)).key,
            "certificate_application.not_returned");
  EXPECT_EQ(error_of(form_for_correction(env.services, user, number)).key,
            "certificate_application.not_returned");

  int accepted = 0;
  for (const auto& m : env.due_mail()) {
    if (m.body.find("修正後の内容で再申請を受け付けました") != std::string::npos) ++accepted;
  }
  EXPECT_EQ(accepted, 1);
}

TEST_F(ResubmissionTest, BadInputChangesNothing) {
  auto form = *form_for_correction(env.services, user, number);
  form.phone = "電話";
  form.certificates = "0";
  auto refused = resubmit_certificate_application(env.services, user, number, form);
  ASSERT_FALSE(refused.has_value());
  EXPECT_TRUE(error_of(refused).is(FailureCode::invalid));
  std::set<std::string> fields;
  for (const auto& e : error_of(refused).fields) fields.insert(e.field);
  EXPECT_EQ(fields, (std::set<std::string>{"phone", "certificates"}));
  EXPECT_EQ(domain::state_key(record().status), "returned");
  EXPECT_EQ(record().status_note, "医療機関名称が異なります。");
}

TEST_F(ResubmissionTest, OnlyTheInstitutionsOwnApplication) {
  EXPECT_EQ(error_of(form_for_correction(env.services, user, "C-99999999")).key,
            "certificate_form.not_found");
  SessionUser stranger = user;
  stranger.institution.id = user.institution.id + 1000;
  EXPECT_EQ(error_of(form_for_correction(env.services, stranger, number)).key,
            "certificate_form.not_found");
  auto form = test::certificate_form("1", "stranger-key");
  EXPECT_EQ(error_of(resubmit_certificate_application(env.services, stranger, number, form)).key,
            "certificate_form.not_found");
  EXPECT_EQ(domain::state_key(record().status), "returned");
}

}  // namespace
}  // namespace onshi::app
