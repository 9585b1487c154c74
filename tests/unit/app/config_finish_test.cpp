// Configuration: the defaults derived after loading (finish_config), the values it refuses, and
// what is computed from it.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "app/core/config.hpp"

namespace onshi::app {
namespace {

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

}  // namespace
}  // namespace onshi::app
