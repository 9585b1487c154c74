// 電子証明書発行申請 use cases on a real SQLite database with a settable clock: the expected notice
// date across weekends, holidays and the year-end closure, fee totals, idempotency and 取下げ.
#include <gtest/gtest.h>

#include "app/accounts/accounts.hpp"
#include "app/applications/certificate_applications.hpp"
#include "app/applications/my_page.hpp"
#include "app/applications/usage_applications.hpp"
#include "app_test_env.hpp"
#include "clinic_fixture.hpp"
#include "support/error_of.hpp"

namespace onshi::app {
namespace {

using onshi::test::error_of;

using namespace std::chrono;

// 09:00 in Japan on the given day.
util::TimePoint jst_morning(year_month_day d) {
  return sys_days{d} + hours{0};
}

class CertificateApplicationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env.clock.set(jst_morning(2026y / November / 2d));
    user = test::logged_in_clinic(env.services);
  }

  void finalize_usage() {
    const auto f = test::usage_form();
    ASSERT_TRUE(finalize_usage_application(env.services, user, f).has_value());
  }

  CertificateForm form(std::string count = "1", std::string key = "key-c") {
    return test::certificate_form(std::move(count), std::move(key));
  }

  std::string expected_on(year_month_day applied) {
    env.clock.set(jst_morning(applied));
    return notice_estimate(env.services).expected_notice_on;
  }

  test::TestEnv env;
  SessionUser user;
};

TEST_F(CertificateApplicationTest, NoticeDateSkipsTheWeekend) {
  // Friday 2026-11-27: Mon 30, Tue 1, Wed 2, Thu 3, Fri 4.
  EXPECT_EQ(expected_on(2026y / November / 27d), "2026-12-04");
}

TEST_F(CertificateApplicationTest, NoticeDateSkipsAHoliday) {
  // Friday 2026-11-20; Monday 23 is 勤労感謝の日: 24, 25, 26, 27, 30.
  EXPECT_EQ(expected_on(2026y / November / 20d), "2026-11-30");
}

TEST_F(CertificateApplicationTest, NoticeDateSkipsTheYearEndClosure) {
  // Friday 2026-12-25: Mon 28 works, 12/29-1/3 closed, then Mon 4, 5, 6, 7.
  EXPECT_EQ(expected_on(2026y / December / 25d), "2027-01-07");
}

TEST_F(CertificateApplicationTest, TheApplicationDayIsTheDayInJapan) {
  // 2026-11-27 15:30 UTC is Saturday 00:30 in Japan: counted from Saturday, not Friday.
  env.clock.set(sys_days{2026y / November / 27d} + hours{15} + minutes{30});
  const auto e = notice_estimate(env.services);
  EXPECT_EQ(e.applied_on, "2026-11-28");
  EXPECT_EQ(e.expected_notice_on, "2026-12-04");
}

TEST_F(CertificateApplicationTest, FeeTotalsForOneAndManyCertificates) {
  finalize_usage();
  auto one = check_certificate_form(env.services, user, form("1"));
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->fee.subtotal_yen, 1500);
  EXPECT_EQ(one->fee.tax_yen, 150);
  EXPECT_EQ(one->fee.total_yen, 1650);
  auto many = check_certificate_form(env.services, user, form("９９"));
  ASSERT_TRUE(many.has_value());
  EXPECT_EQ(many->certificates, 99);
  EXPECT_EQ(many->fee.subtotal_yen, 148500);
  EXPECT_EQ(many->fee.tax_yen, 14850);
  EXPECT_EQ(many->fee.total_yen, 163350);
}

TEST_F(CertificateApplicationTest, RefusedWithoutAUsageApplication) {
  auto r = submit_certificate_application(env.services, user, form());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(error_of(r).key, "certificate_form.no_usage_application");
  EXPECT_TRUE(my_page(env.services, user.institution.id).certificate_applications.empty());
}

TEST_F(CertificateApplicationTest, SubmitStoresTheQuoteAndTheDateAndMailsOnce) {
  finalize_usage();
  env.clock.set(jst_morning(2026y / December / 25d));
  const auto mails_before = env.due_mail().size();
  auto r = submit_certificate_application(env.services, user, form("3"));
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->repeated);
  EXPECT_EQ(r->application.number.substr(0, 2), "C-");
  EXPECT_EQ(domain::state_key(r->application.status), "applied");
  EXPECT_EQ(r->application.total_yen, 4950);
  EXPECT_EQ(r->application.applied_on, "2026-12-25");
  EXPECT_EQ(r->application.expected_notice_on, "2027-01-07");
  const auto mails = env.due_mail();
  ASSERT_EQ(mails.size(), mails_before + 1);
  EXPECT_NE(mails.back().subject.find(r->application.number), std::string::npos);
  EXPECT_NE(mails.back().body.find("2027年1月7日（木）"), std::string::npos);
  EXPECT_NE(mails.back().body.find("4,950"), std::string::npos);
}

TEST_F(CertificateApplicationTest, StoresTheNormalisedMailingAddress) {
  finalize_usage();
  auto f = form();
  f.postal_code = "〒１０４－００６１";
  f.address_line = "　銀座１－２－３　オンシビル５階 ";
  auto r = submit_certificate_application(env.services, user, f);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->application.postal_code, "1040061");
  EXPECT_EQ(r->application.address_line, "銀座1-2-3 オンシビル5階");
  auto stored =
      find_certificate_application(env.services, user.institution.id, r->application.number);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->postal_code, "1040061");
  EXPECT_EQ(stored->address_line, "銀座1-2-3 オンシビル5階");
  EXPECT_EQ(mailing_address(env.services, *stored),
            "〒104-0061 東京都中央区銀座1-2-3 オンシビル5階");
  // The next application starts from this address.
  const auto next = certificate_form_for(env.services, user);
  EXPECT_EQ(next.postal_code, "104-0061");
  EXPECT_EQ(next.address_line, "銀座1-2-3 オンシビル5階");
}

TEST_F(CertificateApplicationTest, MailingAddressErrorsStandBesideTheirFields) {
  finalize_usage();
  auto f = form();
  f.postal_code = "104-006";
  f.address_line = " ";
  auto r = check_certificate_form(env.services, user, f);
  ASSERT_FALSE(r.has_value());
  ASSERT_EQ(error_of(r).size(), 2u);
  EXPECT_EQ(error_of(r)[0].field, "postal_code");
  EXPECT_EQ(error_of(r)[0].key, "postal_code.format");
  EXPECT_EQ(error_of(r)[1].field, "address_line");
  EXPECT_EQ(error_of(r)[1].key, "address_line.required");
  f.postal_code = "";
  f.address_line.clear();
  for (int i = 0; i < 101; ++i) f.address_line += "町";
  r = check_certificate_form(env.services, user, f);
  ASSERT_FALSE(r.has_value());
  ASSERT_EQ(error_of(r).size(), 2u);
  EXPECT_EQ(error_of(r)[0].key, "postal_code.required");
  EXPECT_EQ(error_of(r)[1].key, "address_line.too_long");
  EXPECT_FALSE(submit_certificate_application(env.services, user, f).has_value());
  EXPECT_TRUE(my_page(env.services, user.institution.id).certificate_applications.empty());
}

// The probe: U+202E in 署名名称等 was accepted, and the printed name read backwards.
TEST_F(CertificateApplicationTest, BidirectionalControlsAreRefusedBesideTheirField) {
  finalize_usage();
  auto f = form();
  f.signature_name = "オンライン\u202E資格確認";
  f.department = "事務\u2066部";
  f.address_line = "銀座1-2-3\u200F";
  auto r = check_certificate_form(env.services, user, f);
  ASSERT_FALSE(r.has_value());
  std::vector<std::pair<std::string, std::string>> errors;
  for (const auto& e : error_of(r)) {
    errors.emplace_back(e.field, e.key);
    EXPECT_TRUE(env.messages.has(e.key)) << e.key;
  }
  EXPECT_EQ(errors, (std::vector<std::pair<std::string, std::string>>{
                        {"department", "department.invalid"},
                        {"signature_name", "signature_name.invalid"},
                        {"address_line", "address_line.control_characters"}}));
  EXPECT_FALSE(submit_certificate_application(env.services, user, f).has_value());
}

TEST_F(CertificateApplicationTest, MailingAddressOfAnOlderApplicationIsEmpty) {
  store::CertificateApplicationRecord a;
  a.prefecture = 13;
  a.municipality_code = "131024";
  EXPECT_EQ(mailing_address(env.services, a), "");
}

TEST_F(CertificateApplicationTest, TheSameFormTwiceIsOneApplication) {
  finalize_usage();
  auto first = submit_certificate_application(env.services, user, form("2", "same"));
  auto again = submit_certificate_application(env.services, user, form("2", "same"));
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->repeated);
  EXPECT_EQ(first->application.number, again->application.number);
  EXPECT_EQ(my_page(env.services, user.institution.id).certificate_applications.size(), 1u);
}

TEST_F(CertificateApplicationTest, AnotherInstitutionsKeyNeitherRevealsNorBlocks) {
  finalize_usage();
  auto mine = submit_certificate_application(env.services, user, form("1", "shared-key"));
  ASSERT_TRUE(mine.has_value());
  ASSERT_TRUE(create_verified_account(env.services, {"other@clinic.example.jp", "1310123463",
                                                     "ほかのクリニック", "purple staple battery"})
                  .has_value());
  auto token = login(env.services, "other@clinic.example.jp", "purple staple battery");
  ASSERT_TRUE(token.has_value());
  auto other = resolve_session(env.services, token->session_token);
  ASSERT_TRUE(other.has_value());
  // The same usage key as the first clinic's: the probe saw this refused as 404.
  UsageForm u = test::usage_form("1", "key-u");
  u.customer_id = "CAF1234567891";
  const auto usage = finalize_usage_application(env.services, *other, u);
  ASSERT_TRUE(usage.has_value());
  EXPECT_FALSE(usage->repeated);
  EXPECT_EQ(usage->application.institution_id, other->institution.id);
  auto f = form("1", "shared-key");
  f.institution_code = "1310123463";
  f.institution_name = "ほかのクリニック";
  auto theirs = submit_certificate_application(env.services, *other, f);
  ASSERT_TRUE(theirs.has_value());
  EXPECT_FALSE(theirs->repeated);
  EXPECT_NE(theirs->application.number, mine->application.number);
  EXPECT_EQ(theirs->application.institution_id, other->institution.id);
  EXPECT_EQ(theirs->application.idempotency_key, "shared-key") << "the key is theirs to use";
  // Each institution's repeat still finds its own application.
  auto mine_again = submit_certificate_application(env.services, user, form("1", "shared-key"));
  ASSERT_TRUE(mine_again.has_value());
  EXPECT_TRUE(mine_again->repeated);
  EXPECT_EQ(mine_again->application.number, mine->application.number);
}

TEST_F(CertificateApplicationTest, CancelBeforeApprovalOnlyOnce) {
  finalize_usage();
  auto r = submit_certificate_application(env.services, user, form());
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(
      cancel_certificate_application(env.services, user, r->application.number).has_value());
  auto after =
      find_certificate_application(env.services, user.institution.id, r->application.number);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(domain::state_key(after->status), "cancelled");
  auto twice = cancel_certificate_application(env.services, user, r->application.number);
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(error_of(twice).key, "certificate_form.too_late_to_cancel");
  auto unknown = cancel_certificate_application(env.services, user, "C-99999999");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(error_of(unknown).key, "certificate_form.not_found");
}

TEST_F(CertificateApplicationTest, AnotherInstitutionsCodeOrPrefectureIsRefused) {
  finalize_usage();
  auto f = form();
  f.institution_code = "1310123463";  // a valid code of another institution
  auto r = check_certificate_form(env.services, user, f);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(error_of(r).front().key, "certificate_form.code_mismatch");
  f = form();
  f.prefecture = "27";
  f.municipality = "271004";
  r = check_certificate_form(env.services, user, f);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(error_of(r).front().field, "prefecture");
  EXPECT_EQ(error_of(r).front().key, "certificate_form.prefecture_mismatch");
}

}  // namespace
}  // namespace onshi::app
