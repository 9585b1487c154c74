// 有効期限のお知らせ on the settable clock: the thresholds (90, 60, 30, 15, 7 days before, then
// daily after expiry), each reminder once however often the sweep runs or how many run at once,
// one mail per institution listing its certificates, to the account and each application's
// contact, revoked and renewed certificates left alone, and thresholds missed not mailed late.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "app/ca/expiry_reminders.hpp"
#include "app/ca/revocation.hpp"
#include "issued_fixture.hpp"
#include "support/error_of.hpp"

namespace onshi::app {
namespace {

using namespace std::chrono;
constexpr store::Millis kDay = 86'400'000;
constexpr int kDefaults[] = {90, 60, 30, 15, 7};

TEST(DaysUntilExpiry, CountsWholeDaysUpThenTheDaySinceExpiry) {
  EXPECT_EQ(days_until_expiry(100 * kDay, 10 * kDay), 90);
  EXPECT_EQ(days_until_expiry(100 * kDay, 10 * kDay - 1), 91) << "a millisecond more than 90";
  EXPECT_EQ(days_until_expiry(100 * kDay, 10 * kDay + 1), 90);
  EXPECT_EQ(days_until_expiry(100 * kDay, 100 * kDay - 1), 1) << "its last moment";
  EXPECT_EQ(days_until_expiry(100 * kDay, 100 * kDay), -1) << "expired: its first day";
  EXPECT_EQ(days_until_expiry(100 * kDay, 101 * kDay - 1), -1);
  EXPECT_EQ(days_until_expiry(100 * kDay, 101 * kDay), -2);
  EXPECT_EQ(days_until_expiry(100 * kDay, 130 * kDay + 5), -31);
}

TEST(ReminderDue, TheMostAdvancedThresholdReachedThenEachDayAfterExpiry) {
  const auto due = [](store::Millis now, int after = 0) {
    return reminder_due(kDefaults, after, 1000 * kDay, now);
  };
  EXPECT_EQ(due(1000 * kDay - 91 * kDay), std::nullopt) << "91 days before";
  EXPECT_EQ(due(1000 * kDay - 90 * kDay), 90);
  EXPECT_EQ(due(1000 * kDay - 61 * kDay), 90);
  EXPECT_EQ(due(1000 * kDay - 60 * kDay), 60);
  EXPECT_EQ(due(1000 * kDay - 20 * kDay), 30) << "30 was missed: it is still the one due";
  EXPECT_EQ(due(1000 * kDay - 15 * kDay), 15);
  EXPECT_EQ(due(1000 * kDay - 7 * kDay), 7);
  EXPECT_EQ(due(1000 * kDay - 1), 7) << "nothing below 7 before expiry";
  EXPECT_EQ(due(1000 * kDay), -1);
  EXPECT_EQ(due(1001 * kDay + 1), -2);
  EXPECT_EQ(due(1400 * kDay), -401) << "for ever by default";
  EXPECT_EQ(due(1010 * kDay - 1, 10), -10);
  EXPECT_EQ(due(1010 * kDay, 10), std::nullopt) << "after_expiry_days ends them";
  EXPECT_EQ(reminder_due({}, 0, 1000 * kDay, 999 * kDay), std::nullopt) << "none configured";
  const int one[] = {45};
  EXPECT_EQ(reminder_due(one, 0, 1000 * kDay, 960 * kDay), 45);
}

class ExpiryRemindersTest : public test::IssuedTest {
 protected:
  // Moves the clock to `offset` from the certificate's notAfter, runs a sweep, and returns the
  // mails it queued.
  std::vector<store::OutboxMail> sweep_at(const std::string& number, milliseconds offset) {
    env.clock.set(util::TimePoint{milliseconds{current(number).not_after}} + offset);
    const auto before = env.pending_mail();
    last_ = send_expiry_reminders(env.services);
    auto mails = env.due_mail();
    const auto queued = static_cast<std::size_t>(env.pending_mail() - before);
    return std::vector<store::OutboxMail>(mails.end() - static_cast<std::ptrdiff_t>(queued),
                                          mails.end());
  }
  std::vector<int> sent(const std::string& number) {
    const auto id = current(number).id;
    return env.db->read([&](store::ReadTx& tx) { return tx.reminders().reminders_sent(id); });
  }
  ReminderRun last_;
};

TEST_F(ExpiryRemindersTest, EachThresholdOnceThenEveryDayAfterExpiry) {
  const auto c = issue("2", "r1");
  const auto& n = c[0].number;
  ASSERT_EQ(current(n).not_after, current(c[1].number).not_after);
  EXPECT_TRUE(sweep_at(n, -days{91}).empty()) << "91 days before";
  auto mails = sweep_at(n, -days{90} + hours{1});
  ASSERT_EQ(mails.size(), 1u) << "one mail for the institution, both certificates in it";
  EXPECT_EQ(last_.institutions, 1);
  EXPECT_EQ(last_.certificates, 2);
  EXPECT_EQ(mails[0].to, test::kClinicEmail) << "account and contact are one address: once";
  EXPECT_NE(mails[0].subject.find("電子証明書の有効期限が近づいています（2枚）"), std::string::npos)
      << mails[0].subject;
  EXPECT_NE(mails[0].body.find(c[0].number), std::string::npos);
  EXPECT_NE(mails[0].body.find(c[1].number), std::string::npos);
  EXPECT_NE(mails[0].body.find("あと90日"), std::string::npos) << mails[0].body;
  EXPECT_NE(mails[0].body.find(env.config.base_url + "/renewal"), std::string::npos);
  EXPECT_TRUE(sweep_at(n, -days{90} + hours{2}).empty()) << "run again: nothing more";
  EXPECT_TRUE(sweep_at(n, -days{61}).empty());
  for (const int t : {60, 30, 15, 7}) {
    EXPECT_EQ(sweep_at(n, -days{t} + minutes{1}).size(), 1u) << t;
    EXPECT_TRUE(sweep_at(n, -days{t} + hours{3}).empty()) << t;
  }
  EXPECT_TRUE(sweep_at(n, -minutes{1}).empty()) << "nothing between 7 days and expiry";
  mails = sweep_at(n, hours{1});
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_NE(mails[0].subject.find("有効期限が過ぎた電子証明書があります"), std::string::npos);
  EXPECT_NE(mails[0].body.find("有効期限切れ・1日目"), std::string::npos) << mails[0].body;
  EXPECT_TRUE(sweep_at(n, hours{20}).empty()) << "the same day";
  EXPECT_EQ(sweep_at(n, days{1} + hours{1}).size(), 1u);
  EXPECT_EQ(sweep_at(n, days{2} + hours{1}).size(), 1u);
  EXPECT_EQ(sent(n), (std::vector<int>{90, 60, 30, 15, 7, -1, -2, -3}));

  const auto audit = env.db->read([&](store::ReadTx& tx) {
    store::AuditFilter f;
    f.action_prefix = "certificate.expiry_reminder";
    return tx.audit().audit_entries(f);
  });
  EXPECT_EQ(audit.size(), 16u) << "one record per certificate and threshold";
  EXPECT_EQ(audit.front().actor, "system");
}

TEST_F(ExpiryRemindersTest, AMissedThresholdIsNotMailedLate) {
  const auto c = issue("1", "r2");
  EXPECT_EQ(sweep_at(c[0].number, -days{20}).size(), 1u) << "the scheduler was off since 91";
  EXPECT_EQ(sent(c[0].number), std::vector<int>{30});
  EXPECT_TRUE(sweep_at(c[0].number, -days{16}).empty());
  EXPECT_EQ(sweep_at(c[0].number, -days{15}).size(), 1u);
}

TEST_F(ExpiryRemindersTest, RevokedAndRenewedCertificatesAreLeftAlone) {
  const auto c = issue("3", "r3");
  RevocationRequest r;
  r.certificate = c[0].number;
  r.reason = "cessationOfOperation";
  ASSERT_TRUE(revoke_certificate(env.services, issuer, r).has_value());
  const auto renewed = current(c[1].number).id;
  ASSERT_TRUE(env.db->write([&](store::WriteTx& tx) {
    return tx.certificates().mark_renewed(renewed, env.services.now_ms());
  }));
  auto mails = sweep_at(c[2].number, -days{30});
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(last_.certificates, 1);
  EXPECT_EQ(mails[0].body.find(c[0].number), std::string::npos) << "revoked";
  EXPECT_EQ(mails[0].body.find(c[1].number), std::string::npos) << "renewed";
  EXPECT_NE(mails[0].body.find(c[2].number), std::string::npos);
  EXPECT_TRUE(sweep_at(c[2].number, days{3}).size() == 1u);
  EXPECT_EQ(sent(c[2].number), (std::vector<int>{30, -4}));
}

TEST_F(ExpiryRemindersTest, TheContactOfEachApplicationIsMailedToo) {
  const auto first = issue("1", "r4");
  auto f = test::certificate_form("1", "r5");
  f.email = "jimu@clinic.example.jp";
  const auto applied = submit_certificate_application(env.services, user, f);
  ASSERT_TRUE(applied.has_value());
  const auto number = applied->application.number;
  ASSERT_TRUE(decide(env.services, reviewer, number, Decision::approve, "").has_value());
  ASSERT_TRUE(issue_application(env.services, issuer, number, {}).has_value());
  const auto mails = sweep_at(first[0].number, -days{7});
  ASSERT_EQ(mails.size(), 2u) << "the account's address, then the second contact's";
  EXPECT_EQ(mails[0].to, test::kClinicEmail);
  EXPECT_EQ(mails[1].to, "jimu@clinic.example.jp");
  EXPECT_EQ(mails[0].body, mails[1].body);
  EXPECT_NE(mails[0].subject.find("（2枚）"), std::string::npos)
      << "both certificates, of two applications, in one mail";
}

TEST_F(ExpiryRemindersTest, SweepsAtOnceMailEachReminderOnce) {
  const auto c = issue("3", "r6");
  env.clock.set(util::TimePoint{milliseconds{current(c[0].number).not_after}} - days{60});
  const auto before = env.pending_mail();
  std::atomic<int> reminded{0};
  std::vector<std::thread> nodes;
  for (int i = 0; i < 4; ++i)
    nodes.emplace_back([&] { reminded += send_expiry_reminders(env.services).certificates; });
  for (auto& t : nodes) t.join();
  EXPECT_EQ(reminded.load(), 3);
  EXPECT_EQ(env.pending_mail(), before + 1);
  for (const auto& x : c) EXPECT_EQ(sent(x.number), std::vector<int>{60});
}

TEST_F(ExpiryRemindersTest, ThresholdsAndTheDaysAfterExpiryAreConfigurable) {
  env.config.reminder_days = {45};
  env.config.reminder_after_expiry_days = 2;
  const auto c = issue("1", "r7");
  EXPECT_TRUE(sweep_at(c[0].number, -days{60}).empty());
  EXPECT_EQ(sweep_at(c[0].number, -days{45}).size(), 1u);
  EXPECT_TRUE(sweep_at(c[0].number, -days{7}).empty());
  EXPECT_EQ(sweep_at(c[0].number, hours{1}).size(), 1u);
  EXPECT_EQ(sweep_at(c[0].number, days{1} + hours{1}).size(), 1u);
  EXPECT_TRUE(sweep_at(c[0].number, days{2} + hours{1}).empty()) << "after the second day";
  EXPECT_EQ(sent(c[0].number), (std::vector<int>{45, -1, -2}));
}

}  // namespace
}  // namespace onshi::app
