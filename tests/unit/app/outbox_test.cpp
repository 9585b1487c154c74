// Mail composition into the outbox and the worker's behaviour when the relay is down.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "app/core/outbox.hpp"
#include "app/core/outbox_worker.hpp"
#include "app_test_env.hpp"

namespace onshi::app {
namespace {

using namespace std::chrono_literals;

// A local TCP port nobody listens on: bound once to learn a free number, then closed.
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  socklen_t len = sizeof addr;
  int port = -1;
  if (::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr) == 1 &&
      ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

class OutboxTest : public ::testing::Test {
 protected:
  store::Id enqueue(const std::string& to) {
    util::TemplateData d;
    d.set("institution_name", "テストクリニック");
    env.db->write(
        [&](store::WriteTx& tx) { enqueue_mail(env.services, tx, to, "password_changed", d); });
    const auto mails = env.due_mail();
    return mails.empty() ? 0 : mails.back().id;
  }

  test::TestEnv env;
};

TEST_F(OutboxTest, MailTextIsNotHtmlEscaped) {
  util::TemplateData d;
  d.set("institution_name", "医療法人A&B <本院>");
  env.db->write([&](store::WriteTx& tx) {
    enqueue_mail(env.services, tx, "a@clinic.example.jp", "password_changed", d);
  });
  const auto mails = env.due_mail();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_TRUE(mails[0].body.starts_with("医療法人A&B <本院>")) << mails[0].body;
  EXPECT_EQ(mails[0].body.find("&amp;"), std::string::npos);
}

TEST_F(OutboxTest, EnqueueSplitsSubjectFromBodyAndMintsAMessageId) {
  enqueue("a@clinic.example.jp");
  const auto mails = env.due_mail();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].to, "a@clinic.example.jp");
  EXPECT_EQ(mails[0].subject, "【医療機関等向けポータルサイト】パスワード変更のお知らせ");
  EXPECT_TRUE(mails[0].body.starts_with("テストクリニック"));
  EXPECT_EQ(mails[0].body.find("Subject:"), std::string::npos);
  EXPECT_TRUE(mails[0].message_id.starts_with("<"));
  EXPECT_TRUE(mails[0].message_id.ends_with("@fask.or.jp>"));
  EXPECT_EQ(mails[0].created_at, env.services.now_ms());
  enqueue("b@clinic.example.jp");
  const auto both = env.due_mail();
  ASSERT_EQ(both.size(), 2u);
  EXPECT_NE(both[0].message_id, both[1].message_id);
}

TEST_F(OutboxTest, MessageIdUsesTheDomainOfMailFrom) {
  env.config.mail_from = "Portal <noreply@mail.example.jp>";
  enqueue("a@clinic.example.jp");
  const auto mails = env.due_mail();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_TRUE(mails[0].message_id.ends_with("@mail.example.jp>")) << mails[0].message_id;
}

TEST_F(OutboxTest, UnknownTemplateThrowsAndWritesNothing) {
  EXPECT_THROW(env.db->write([&](store::WriteTx& tx) {
    enqueue_mail(env.services, tx, "a@clinic.example.jp", "no_such_template", {});
  }),
               std::runtime_error);
  EXPECT_EQ(env.pending_mail(), 0);
}

TEST_F(OutboxTest, NothingDueMeansNothingSent) {
  OutboxWorker worker(env.services);
  EXPECT_EQ(worker.deliver_due(), 0);
}

TEST_F(OutboxTest, RelayDownLeavesMailPendingAndSchedulesARetry) {
  const int port = free_port();
  ASSERT_GT(port, 0);
  env.config.smtp_url = "smtp://127.0.0.1:" + std::to_string(port);
  env.config.mail_retry_base_ms = 30'000;
  const auto first = enqueue("a@clinic.example.jp");
  const auto second = enqueue("b@clinic.example.jp");
  ASSERT_NE(first, 0);
  ASSERT_NE(second, 0);

  OutboxWorker worker(env.services);
  EXPECT_EQ(worker.deliver_due(), 0);
  EXPECT_EQ(env.pending_mail(), 2);
  // Neither is due now: the failed one waits for its retry, the rest of the batch waits with it.
  EXPECT_TRUE(env.due_mail().empty());

  env.clock.advance(30s - 1ms);
  EXPECT_TRUE(env.due_mail().empty());
  env.clock.advance(1ms);
  const auto due = env.due_mail();
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].id, first);
  EXPECT_EQ(due[0].attempts, 1);
  EXPECT_EQ(due[1].attempts, 0);  // never tried

  // The second failure doubles the wait.
  EXPECT_EQ(worker.deliver_due(), 0);
  env.clock.advance(60s - 1ms);
  EXPECT_TRUE(env.due_mail().empty());
  env.clock.advance(1ms);
  const auto later = env.due_mail();
  ASSERT_FALSE(later.empty());
  EXPECT_EQ(later[0].id, first);
  EXPECT_EQ(later[0].attempts, 2);
  EXPECT_EQ(env.pending_mail(), 2);
}

TEST_F(OutboxTest, RetryDelayIsCappedAtTheMaximum) {
  const int port = free_port();
  ASSERT_GT(port, 0);
  env.config.smtp_url = "smtp://127.0.0.1:" + std::to_string(port);
  env.config.mail_retry_base_ms = 1'000;
  env.config.mail_retry_max_ms = 1'500;
  enqueue("a@clinic.example.jp");
  OutboxWorker worker(env.services);
  EXPECT_EQ(worker.deliver_due(), 0);  // attempt 1: waits 1 s
  env.clock.advance(1s);
  EXPECT_EQ(worker.deliver_due(), 0);  // attempt 2: 2 s, capped to 1.5 s
  env.clock.advance(1499ms);
  EXPECT_TRUE(env.due_mail().empty());
  env.clock.advance(1ms);
  ASSERT_EQ(env.due_mail().size(), 1u);
  EXPECT_EQ(env.due_mail()[0].attempts, 2);
}

}  // namespace
}  // namespace onshi::app
