#pragma once
// The back office's test fixture: a real SQLite database, a real CA (encrypted PKCS#8 keys in a
// temp folder), a settable clock at 2026-11-24 10:00 in Japan, a clinic with its usage
// application finalized, and one operator of each role.
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "app/applications/certificate_applications.hpp"
#include "app/applications/usage_applications.hpp"
#include "app/ca/certificate_authority.hpp"
#include "app/office/operators.hpp"
#include "app/office/review.hpp"
#include "app_test_env.hpp"
#include "clinic_fixture.hpp"
#include "pki/authority.hpp"
#include "pki/keys.hpp"
#include "store/raw_access.hpp"
#include "util/totp.hpp"

namespace onshi::test {

using namespace std::chrono;
using namespace onshi::app;

inline constexpr const char* kPassword = "operator password 2026";

class BackOfficeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env.clock.set(sys_days{2026y / November / 24d} + hours{1});  // 10:00 in Japan, a Tuesday
    env.config.separate_issuer = true;
    const auto pass = env.dir.path() / "ca-passphrase";
    std::ofstream(pass) << "unit test passphrase\n";
    env.config.ca_passphrase_file = pass.string();
    pki::init_ca(key_store_config(env.config), ca_settings(env.config), env.clock.now());
    ca = CertificateAuthority::open(env.config);
    ASSERT_TRUE(ca);
    env.services.ca = ca.get();

    user = test::logged_in_clinic(env.services);
    const auto u = test::usage_form();
    ASSERT_TRUE(finalize_usage_application(env.services, user, u).has_value());

    reviewer = make_operator("rev", "reviewer");
    issuer = make_operator("iss", "issuer");
    admin = make_operator("adm", "admin");
  }

  Actor make_operator(const std::string& login, const std::string& role) {
    auto created = create_operator(env.services, {login, login + " さん", role, kPassword});
    EXPECT_TRUE(created.has_value());
    secrets[login] = created->totp_secret;
    return *cli_actor(env.services, login);
  }

  std::string apply(const std::string& count, const std::string& key) {
    const auto f = test::certificate_form(count, key);
    auto r = submit_certificate_application(env.services, user, f);
    EXPECT_TRUE(r.has_value());
    return r->application.number;
  }

  std::string status_of(const std::string& number) {
    return std::string(
        domain::state_key(application_dossier(env.services, number)->application.status));
  }

  // Changes the database behind the application's back, through the backend's own connection, as
  // an intruder with file access would (the statements may drop the audit log's triggers first).
  // 0 when every statement ran.
  int tamper(const std::string& statements) {
    const auto db = env.dir.path() / "onshi.db";
    return store::raw_sql(db.string(), statements).ok ? 0 : 1;
  }

  std::string code_now(const std::string& login) {
    return util::totp_code(secrets[login], util::to_unix(env.clock.now()));
  }

  test::TestEnv env;
  std::unique_ptr<CertificateAuthority> ca;
  SessionUser user;
  Actor reviewer, issuer, admin;
  std::map<std::string, std::string> secrets;
};

}  // namespace onshi::test
