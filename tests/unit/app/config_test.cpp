// Configuration: TOML file, ONSHI_* environment, derived defaults.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <optional>

#include "app/core/config.hpp"
#include "app_test_env.hpp"

namespace onshi::app {
namespace {

constexpr const char* kEnvNames[] = {"ONSHI_LISTEN",
                                     "ONSHI_RENEWAL_OVERLAP_DAYS",
                                     "ONSHI_AUTO_APPROVE_RENEWALS",
                                     "ONSHI_BASE_URL",
                                     "ONSHI_THREADS",
                                     "ONSHI_COOKIE_SECURE",
                                     "ONSHI_MAX_BODY_BYTES",
                                     "ONSHI_RESOURCES",
                                     "ONSHI_DATABASE_URL",
                                     "ONSHI_SMTP_URL",
                                     "ONSHI_MAIL_FROM",
                                     "ONSHI_MAIL_POLL_MS",
                                     "ONSHI_MAIL_RETRY_BASE_MS",
                                     "ONSHI_MAIL_RETRY_MAX_MS",
                                     "ONSHI_SESSION_IDLE_MINUTES",
                                     "ONSHI_SESSION_ABSOLUTE_HOURS",
                                     "ONSHI_LOGIN_LOCK_BASE_SECONDS",
                                     "ONSHI_VERIFY_TOKEN_HOURS",
                                     "ONSHI_RESET_TOKEN_MINUTES",
                                     "ONSHI_CONTACT_NAME",
                                     "ONSHI_CONTACT_PHONE",
                                     "ONSHI_CONTACT_HOURS",
                                     "ONSHI_CONTACT_EMAIL",
                                     "ONSHI_PICKUP_REDOWNLOAD_DAYS",
                                     "ONSHI_UNPICKED_REVOCATION_GRACE_DAYS",
                                     "ONSHI_TLS_LISTEN",
                                     "ONSHI_TLS_CERT_FILE",
                                     "ONSHI_TLS_KEY_FILE",
                                     "ONSHI_DEVELOPMENT_TEST_CLOCK",
                                     "ONSHI_REMINDER_DAYS_BEFORE",
                                     "ONSHI_REMINDER_AFTER_EXPIRY_DAYS",
                                     "ONSHI_REMINDER_INTERVAL_SECONDS"};

// Clears the ONSHI_* environment for the test and puts it back afterwards.
class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kEnvNames) {
      const char* v = std::getenv(name);
      saved_.emplace_back(name, v ? std::optional<std::string>(v) : std::nullopt);
      unsetenv(name);
    }
  }
  void TearDown() override {
    for (const auto& [name, v] : saved_) {
      if (v) {
        setenv(name.c_str(), v->c_str(), 1);
      } else {
        unsetenv(name.c_str());
      }
    }
  }

  std::filesystem::path write(const std::string& name, const std::string& text) {
    const auto path = dir_.path() / name;
    std::ofstream(path) << text;
    return path;
  }

  // The message of the runtime_error load_config throws, or "" when it does not throw.
  std::string load_error(const std::filesystem::path& file) {
    try {
      load_config(dir_.path(), file);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return {};
  }

  test::TempDir dir_;
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST_F(ConfigTest, DefaultsWithoutAFile) {
  const Config c = load_config(dir_.path(), {});
  EXPECT_EQ(c.listen, "127.0.0.1:8080");
  EXPECT_EQ(c.threads, 4);
  EXPECT_EQ(c.mail_from, "portal@fask.or.jp");
  EXPECT_EQ(c.session_idle_minutes, 30);
  EXPECT_EQ(c.login_lock_base_seconds, 60);
  EXPECT_EQ(c.data_dir, dir_.path());
  EXPECT_FALSE(c.cookie_secure.has_value());
  EXPECT_EQ(c.metrics_allow, (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_EQ(c.metrics_token, "");
}

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

TEST_F(ConfigTest, FileValuesAreApplied) {
  const auto file = write("custom.toml", R"([server]
listen = "0.0.0.0:9000"
threads = 8
cookie_secure = false
max_body_bytes = 2048
metrics_allow = "10.0.0.5, 10.0.0.6,::1"

[mail]
from = "Portal <noreply@example.jp>"
retry_base_ms = 500

[security]
session_idle_minutes = 5
reset_token_minutes = 15
)");
  const Config c = load_config(dir_.path(), file);
  EXPECT_EQ(c.listen, "0.0.0.0:9000");
  EXPECT_EQ(c.threads, 8);
  ASSERT_TRUE(c.cookie_secure.has_value());
  EXPECT_FALSE(*c.cookie_secure);
  EXPECT_EQ(c.max_body_bytes, 2048u);
  EXPECT_EQ(c.metrics_allow, (std::vector<std::string>{"10.0.0.5", "10.0.0.6", "::1"}));
  EXPECT_EQ(c.mail_from, "Portal <noreply@example.jp>");
  EXPECT_EQ(c.mail_retry_base_ms, 500);
  EXPECT_EQ(c.session_idle_minutes, 5);
  EXPECT_EQ(c.reset_token_minutes, 15);
  EXPECT_EQ(c.session_absolute_hours, 12);  // untouched
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

TEST_F(ConfigTest, OnshiTomlInTheDataDirIsReadWhenNoFileIsGiven) {
  write("onshi.toml", "[server]\nthreads = 3\n");
  EXPECT_EQ(load_config(dir_.path(), {}).threads, 3);
}

// Regression: negative or oversized numbers were wrapped (-1 bytes became "no limit").
TEST_F(ConfigTest, OutOfRangeNumbersAreRefusedWithTheKey) {
  EXPECT_NE(load_error(write("a.toml", "[server]\nmax_body_bytes = -1\n")).find("max_body_bytes"),
            std::string::npos);
  EXPECT_NE(load_error(write("b.toml", "[server]\nthreads = 4294967297\n")).find("threads"),
            std::string::npos);
  EXPECT_NE(load_error(write("c.toml", "[server]\nthreads = 0\n")).find("threads"),
            std::string::npos);
  EXPECT_NE(load_error(write("d.toml", "[security]\nsession_idle_minutes = -5\n"))
                .find("session_idle_minutes"),
            std::string::npos);
  EXPECT_NE(load_error(write("e.toml", "[security]\nlogin_lock_base_seconds = 0\n"))
                .find("login_lock_base_seconds"),
            std::string::npos);
  EXPECT_EQ(load_error(write("f.toml", "[server]\nthreads = 8\nmax_body_bytes = 2048\n")), "");
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

TEST_F(ConfigTest, MissingExplicitFileThrows) {
  const auto message = load_error(dir_.path() / "absent.toml");
  EXPECT_NE(message.find("absent.toml"), std::string::npos) << message;
}

TEST_F(ConfigTest, UnknownKeyIsNamedInTheError) {
  const auto message = load_error(write("c.toml", "[server]\nlisten = \"x:1\"\nlisen = \"y\"\n"));
  EXPECT_NE(message.find("server.lisen"), std::string::npos) << message;
  EXPECT_NE(message.find("unknown key"), std::string::npos) << message;
  EXPECT_NE(load_error(write("d.toml", "[serverx]\nlisten = \"x:1\"\n")).find("serverx.listen"),
            std::string::npos);
}

TEST_F(ConfigTest, KeyOutsideASectionIsRefused) {
  const auto message = load_error(write("c.toml", "listen = \"x:1\"\n"));
  EXPECT_NE(message.find("listen"), std::string::npos) << message;
}

TEST_F(ConfigTest, MalformedTomlGivesTheFileAndLine) {
  const auto message = load_error(write("bad.toml", "[server]\nthreads = 2\nlisten = \n"));
  EXPECT_NE(message.find("bad.toml:3:"), std::string::npos) << message;
}

TEST_F(ConfigTest, WrongValueTypesAreRefused) {
  EXPECT_NE(load_error(write("a.toml", "[server]\nthreads = \"many\"\n")).find("not an integer"),
            std::string::npos);
  EXPECT_NE(load_error(write("b.toml", "[server]\nthreads = 1.5\n")).find("server.threads"),
            std::string::npos);
  EXPECT_NE(load_error(write("c.toml", "[server]\ncookie_secure = \"maybe\"\n")).find("maybe"),
            std::string::npos);
  EXPECT_FALSE(load_error(write("d.toml", "[server]\nlisten = [1, 2]\n")).empty());
}

TEST_F(ConfigTest, EnvironmentBeatsTheFile) {
  const auto file = write("c.toml", "[server]\nlisten = \"0.0.0.0:9000\"\nthreads = 8\n");
  setenv("ONSHI_LISTEN", "127.0.0.1:7777", 1);
  setenv("ONSHI_COOKIE_SECURE", "yes", 1);
  const Config c = load_config(dir_.path(), file);
  EXPECT_EQ(c.listen, "127.0.0.1:7777");
  EXPECT_EQ(c.threads, 8);  // not overridden
  EXPECT_EQ(c.cookie_secure, std::optional<bool>(true));
}

TEST_F(ConfigTest, BadEnvironmentValueNamesTheVariable) {
  setenv("ONSHI_THREADS", "4x", 1);
  const auto message = load_error({});
  EXPECT_NE(message.find("ONSHI_THREADS"), std::string::npos) << message;
}

TEST(FinishConfig, BaseUrlDefaultsFromListenAndLosesTrailingSlashes) {
  Config c;
  c.listen = "127.0.0.1:9999";
  finish_config(c);
  EXPECT_EQ(c.base_url, "http://127.0.0.1:9999");
  Config d;
  d.base_url = "https://portal.example.jp//";
  finish_config(d);
  EXPECT_EQ(d.base_url, "https://portal.example.jp");
}

TEST(FinishConfig, DatabaseUrlDefaultsToTheDataDir) {
  Config c;
  c.data_dir = "/srv/onshi";
  finish_config(c);
  EXPECT_EQ(c.database_url, "sqlite:/srv/onshi/onshi.db");
  Config d;
  d.database_url = "sqlite:/elsewhere.db";
  finish_config(d);
  EXPECT_EQ(d.database_url, "sqlite:/elsewhere.db");
}

TEST(FinishConfig, RefusesImpossibleValues) {
  Config c;
  c.threads = 0;
  EXPECT_THROW(finish_config(c), std::runtime_error);
  Config d;
  d.mail_poll_ms = 9;
  EXPECT_THROW(finish_config(d), std::runtime_error);
  Config e;
  e.mail_retry_base_ms = 9;
  EXPECT_THROW(finish_config(e), std::runtime_error);
  Config ok;
  ok.threads = 1;
  ok.mail_poll_ms = 10;
  ok.mail_retry_base_ms = 10;
  EXPECT_NO_THROW(finish_config(ok));
}

// finish_config's message, or "" when it accepts the configuration.
std::string finish_error(Config c) {
  try {
    finish_config(c);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return {};
}

TEST(FinishConfig, OcspResponsesFitInHalfTheResponderCertificatesDays) {
  Config c;
  EXPECT_EQ(c.ocsp_validity_hours, 12);
  EXPECT_EQ(c.ocsp_responder_validity_days, 7);
  EXPECT_EQ(c.ocsp_max_certificates, 10);
  EXPECT_EQ(c.ocsp_cache_check_ms, 100);
  c.ocsp_responder_validity_days = 2;
  c.ocsp_validity_hours = 24;
  EXPECT_EQ(finish_error(c), "");
  c.ocsp_validity_hours = 25;
  EXPECT_NE(finish_error(c).find("pki.ocsp_validity_hours"), std::string::npos);
}

TEST(FinishConfig, ATlsListenerNeedsItsCertificateAndKeyAndItsOwnPort) {
  Config c;
  c.tls_listen = "127.0.0.1:8443";
  EXPECT_NE(finish_error(c).find("server.tls_cert_file"), std::string::npos) << finish_error(c);
  c.tls_cert_file = "server.crt";
  EXPECT_NE(finish_error(c).find("server.tls_key_file"), std::string::npos) << finish_error(c);
  c.tls_key_file = "server.key";
  EXPECT_EQ(finish_error(c), "");
  c.tls_listen = c.listen;
  EXPECT_NE(finish_error(c).find("differ"), std::string::npos) << finish_error(c);
  Config plain;  // files without a listener are not an error: nothing reads them
  plain.tls_cert_file = "server.crt";
  EXPECT_EQ(finish_error(plain), "");
}

TEST(ConfigValues, SecureCookiesFollowTheBaseUrlUnlessForced) {
  Config c;
  c.base_url = "https://portal.example.jp";
  EXPECT_TRUE(c.secure_cookies());
  c.cookie_secure = false;
  EXPECT_FALSE(c.secure_cookies());
  c.base_url = "http://127.0.0.1:8080";
  c.cookie_secure.reset();
  EXPECT_FALSE(c.secure_cookies());
  c.cookie_secure = true;
  EXPECT_TRUE(c.secure_cookies());
}

TEST(ConfigValues, MailDomain) {
  Config c;
  EXPECT_EQ(c.mail_domain(), "fask.or.jp");
  c.mail_from = "Name <a@b.jp>";
  EXPECT_EQ(c.mail_domain(), "b.jp");
  c.mail_from = "portal@mail.example.co.jp";
  EXPECT_EQ(c.mail_domain(), "mail.example.co.jp");
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
