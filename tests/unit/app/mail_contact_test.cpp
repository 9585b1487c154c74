// Every mail is 送信専用 and says whom to contact instead: the desk of config [contact].
#include <gtest/gtest.h>

#include <filesystem>

#include "app/core/outbox.hpp"
#include "app_test_env.hpp"

namespace onshi::app {
namespace {

TEST(MailContact, EveryMailTemplateEndsWithTheConfiguredDesk) {
  test::TestEnv env;
  // Not the defaults: the text must come from the configuration.
  env.config.contact = {.name = "テスト県 問合せ窓口",
                        .phone = "03-0000-1234",
                        .hours = "平日 10:00〜16:00",
                        .email = "desk@example.test"};
  int rendered = 0;
  for (const auto& entry : std::filesystem::directory_iterator(
           std::filesystem::path(ONSHI_SOURCE_DIR) / "templates/mail")) {
    if (entry.path().extension() != ".txt") continue;
    const std::string name = entry.path().stem().string();
    env.db->write([&](store::WriteTx& tx) {
      enqueue_mail(env.services, tx, name + "@clinic.example.jp", name, util::TemplateData{});
    });
    ++rendered;
  }
  ASSERT_GE(rendered, 11);
  const auto mails = env.due_mail();
  ASSERT_EQ(static_cast<int>(mails.size()), rendered);
  for (const auto& m : mails) {
    SCOPED_TRACE(m.to);
    EXPECT_NE(m.body.find("このメールは送信専用です。"), std::string::npos) << m.body;
    EXPECT_NE(m.body.find("テスト県 問合せ窓口\n電話: 03-0000-1234（受付時間 平日 10:00〜16:00）\n"
                          "メール: desk@example.test"),
              std::string::npos)
        << m.body;
    EXPECT_NE(m.body.find("（fask.or.jp）"), std::string::npos) << "the sending domain";
    EXPECT_EQ(m.body.find("お問い合わせ窓口"), std::string::npos) << "one name for the desk";
    EXPECT_EQ(m.body.find("運営事務局"), std::string::npos);
    EXPECT_FALSE(m.body.ends_with("\n\n")) << m.body;
  }
}

TEST(MailContact, CatalogueMessagesNameTheConfiguredDesk) {
  const auto file = std::filesystem::path(ONSHI_SOURCE_DIR) / "data/messages.ja.toml";
  const auto m = Messages::load(file, "テスト県 問合せ窓口");
  EXPECT_EQ(m.get("fee.no_rate_in_effect").find("{desk}"), std::string::npos);
  EXPECT_NE(m.get("fee.no_rate_in_effect").find("テスト県 問合せ窓口へご連絡ください"),
            std::string::npos);
  EXPECT_NE(m.get("notice_letter.note_resend").find("テスト県 問合せ窓口"), std::string::npos);
  // Without a name, the default desk: never a raw {desk}.
  const auto d = Messages::load(file);
  EXPECT_NE(d.get("notice_letter.note_resend").find(Config::Contact{}.name), std::string::npos);
}

TEST(MailContact, PeriodsReadAsPeopleSayThem) {
  const auto m = Messages::load(std::filesystem::path(ONSHI_SOURCE_DIR) / "data/messages.ja.toml");
  EXPECT_EQ(period_in_months(m, 39), "3年3か月");
  EXPECT_EQ(period_in_months(m, 36), "3年");
  EXPECT_EQ(period_in_months(m, 5), "5か月");
  EXPECT_EQ(period_in_months(m, 12), "1年");
}

}  // namespace
}  // namespace onshi::app
