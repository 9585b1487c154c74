// Configuration of the operating policies: the TLS listener, the contact desk, the expiry
// reminders, the unpicked grace, the renewal policy, and the test clock kept out of production.
#include "config_fixture.hpp"

namespace onshi::app {
namespace {

TEST_F(ConfigTest, TheTestClockIsOffUnlessAskedFor) {
  EXPECT_FALSE(load_config(dir_.path(), {}).test_clock);
  EXPECT_TRUE(
      load_config(dir_.path(), write("dev.toml", "[development]\ntest_clock = true\n")).test_clock);
  setenv("ONSHI_DEVELOPMENT_TEST_CLOCK", "yes", 1);
  EXPECT_TRUE(load_config(dir_.path(), {}).test_clock);
  setenv("ONSHI_DEVELOPMENT_TEST_CLOCK", "maybe", 1);
  EXPECT_NE(load_error({}).find("expected true or false"), std::string::npos);
}

TEST_F(ConfigTest, ReminderThresholdsAreAListOfDaysKeptLargestFirst) {
  Config c = load_config(dir_.path(), {});
  EXPECT_EQ(c.reminder_days, (std::vector<int>{90, 60, 30, 15, 7}));
  EXPECT_EQ(c.reminder_after_expiry_days, 0);
  EXPECT_EQ(c.reminder_interval_seconds, 3600);
  c = load_config(dir_.path(), write("r.toml", R"([reminders]
days_before = [7, 30, 120]
after_expiry_days = 10
interval_seconds = 60
)"));
  EXPECT_EQ(c.reminder_days, (std::vector<int>{120, 30, 7}));
  EXPECT_EQ(c.reminder_after_expiry_days, 10);
  EXPECT_EQ(c.reminder_interval_seconds, 60);
  setenv("ONSHI_REMINDER_DAYS_BEFORE", "14, 45", 1);
  EXPECT_EQ(load_config(dir_.path(), {}).reminder_days, (std::vector<int>{45, 14}));
  setenv("ONSHI_REMINDER_DAYS_BEFORE", "30,30", 1);
  EXPECT_NE(load_error({}).find("given twice"), std::string::npos);
  setenv("ONSHI_REMINDER_DAYS_BEFORE", "0", 1);
  EXPECT_NE(load_error({}).find("out of range"), std::string::npos);
  setenv("ONSHI_REMINDER_DAYS_BEFORE", "30 days", 1);
  EXPECT_NE(load_error({}).find("not an integer"), std::string::npos);
}

TEST_F(ConfigTest, TlsListenerFromTheFileAndTheEnvironment) {
  EXPECT_EQ(load_config(dir_.path(), {}).tls_listen, "");  // no TLS listener by default
  const auto file = write("tls.toml", R"([server]
tls_listen = "127.0.0.1:8443"
tls_cert_file = "/etc/onshi/server.crt"
tls_key_file = "/etc/onshi/server.key"
)");
  Config c = load_config(dir_.path(), file);
  EXPECT_EQ(c.tls_listen, "127.0.0.1:8443");
  EXPECT_EQ(c.tls_cert_file, "/etc/onshi/server.crt");
  EXPECT_EQ(c.tls_key_file, "/etc/onshi/server.key");
  setenv("ONSHI_TLS_LISTEN", "0.0.0.0:9443", 1);
  setenv("ONSHI_TLS_KEY_FILE", "other.key", 1);
  c = load_config(dir_.path(), file);
  EXPECT_EQ(c.tls_listen, "0.0.0.0:9443");
  EXPECT_EQ(c.tls_cert_file, "/etc/onshi/server.crt");
  EXPECT_EQ(c.tls_key_file, "other.key");
}

TEST_F(ConfigTest, TheContactDeskComesFromTheFileAndTheEnvironment) {
  const Config defaults = load_config(dir_.path(), {});
  EXPECT_EQ(defaults.contact.name, "医療機関等向けポータルサイト 問合せ窓口");
  EXPECT_EQ(defaults.contact.phone, "0120-000-000");  // a placeholder, not a real line
  EXPECT_EQ(defaults.pickup_redownload_days, 7);
  EXPECT_EQ(defaults.unpicked_revocation_grace_days, 14);
  const auto file = write("desk.toml", R"([contact]
name = "オンライン資格確認 問合せ窓口"
phone = "03-1234-5678"
hours = "平日 9:00〜18:00"
email = "desk@example.jp"
)");
  setenv("ONSHI_CONTACT_PHONE", "0570-000-000", 1);
  const Config c = load_config(dir_.path(), file);
  EXPECT_EQ(c.contact.name, "オンライン資格確認 問合せ窓口");
  EXPECT_EQ(c.contact.phone, "0570-000-000");  // the environment wins over the file
  EXPECT_EQ(c.contact.hours, "平日 9:00〜18:00");
  EXPECT_EQ(c.contact.email, "desk@example.jp");
  // Printed on every page, mail and letter: an empty value or a line break is refused.
  EXPECT_NE(load_error(write("empty.toml", "[contact]\nname = \"\"\n")).find("contact.name"),
            std::string::npos);
  EXPECT_NE(
      load_error(write("nl.toml", "[contact]\nhours = \"9時\\n17時\"\n")).find("contact.hours"),
      std::string::npos);
  // The desk's name goes into catalogue texts that are formatted: a brace would break them.
  EXPECT_NE(load_error(write("brace.toml", "[contact]\nname = \"窓口{0}\"\n")).find("contact.name"),
            std::string::npos);
}

TEST_F(ConfigTest, TheGraceBeforeUnpickedCertificatesAreRevoked) {
  const auto file = write("grace.toml", "[pki]\nunpicked_revocation_grace_days = 30\n");
  EXPECT_EQ(load_config(dir_.path(), file).unpicked_revocation_grace_days, 30);
  setenv("ONSHI_UNPICKED_REVOCATION_GRACE_DAYS", "0", 1);
  EXPECT_EQ(load_config(dir_.path(), file).unpicked_revocation_grace_days, 0) << "at once";
  setenv("ONSHI_UNPICKED_REVOCATION_GRACE_DAYS", "-1", 1);
  EXPECT_THROW(load_config(dir_.path(), file), std::runtime_error);
}

TEST_F(ConfigTest, TheRenewalPolicyAndOverlap) {
  const Config defaults = load_config(dir_.path(), {});
  EXPECT_FALSE(defaults.auto_approve_renewals) << "a reviewer by default";
  EXPECT_EQ(defaults.renewal_overlap_days, 14);
  const auto file = write(
      "renewal.toml", "[review]\nauto_approve_renewals = true\n[pki]\nrenewal_overlap_days = 7\n");
  const auto c = load_config(dir_.path(), file);
  EXPECT_TRUE(c.auto_approve_renewals);
  EXPECT_EQ(c.renewal_overlap_days, 7);
  setenv("ONSHI_RENEWAL_OVERLAP_DAYS", "-1", 1);
  EXPECT_THROW(load_config(dir_.path(), file), std::runtime_error);
}

}  // namespace
}  // namespace onshi::app
