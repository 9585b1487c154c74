#pragma once
// The pages of issued certificates, over a Site with a real CA: テストクリニック with two
// certificates issued (generated keys) and their pickup codes as the letter prints them, another
// institution on demand, and the pickup use cases to download, lock and replace.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "../app/clinic_fixture.hpp"
#include "admin_test_env.hpp"
#include "app/ca/issuance.hpp"
#include "app/ca/pickup.hpp"
#include "app/office/review.hpp"

namespace onshi::web::test {

struct IssuedCertificate {
  std::string number;  // 発行番号
  std::string code;    // its pickup code
  std::string application;
};

// A Site with a real CA and テストクリニック logged in with its usage application finalized: what
// the pages of issued certificates (マイページ, the back office, the pickup page) start from.
class IssuingSiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    a.open_ca();
    auto& s = a.s.env.services;
    user = onshi::test::logged_in_clinic(s);
    ASSERT_TRUE(app::finalize_usage_application(s, user, onshi::test::usage_form()).has_value());
  }

  // Applied, approved by `reviewer` and issued by `issuer` (generated keys).
  std::vector<IssuedCertificate> issue(const app::SessionUser& u, const app::CertificateForm& f) {
    auto& s = a.s.env.services;
    auto applied = app::submit_certificate_application(s, u, f);
    EXPECT_TRUE(applied.has_value());
    if (!applied) return {};
    const auto number = applied->application.number;
    EXPECT_TRUE(app::decide(s, *app::cli_actor(s, "reviewer"), number, app::Decision::approve, "")
                    .has_value());
    EXPECT_TRUE(app::issue_application(s, *app::cli_actor(s, "issuer"), number, {}).has_value());
    std::vector<IssuedCertificate> out;
    s.db.read([&](store::ReadTx& tx) {
      for (const auto& c : tx.certificates().certificates_of_application(applied->application.id))
        out.push_back({c.issuance_number, *a.ca->unseal(*c.sealed_pickup_code), number});
    });
    return out;
  }

  store::CertificateRecord current(const std::string& number) {
    return *a.s.env.db->read(
        [&](store::ReadTx& tx) { return tx.certificates().find_current_certificate(number); });
  }

  // A P-256 CSR made by openssl, as a terminal's vendor makes it.
  std::string make_csr(const std::string& name) {
    const auto key = a.s.env.dir.path() / (name + ".key");
    const auto out = a.s.env.dir.path() / (name + ".csr");
    const auto command = fmt::format(
        "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN={} "
        "-keyout '{}' -out '{}' 2>/dev/null",
        name, key.string(), out.string());
    EXPECT_EQ(std::system(command.c_str()), 0);
    std::ifstream in(out, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }

  AdminEnv a;
  app::SessionUser user;
};

// テストクリニック with two certificates issued (generated keys), another institution on demand.
class IssuedCertificatesTest : public IssuingSiteTest {
 protected:
  void SetUp() override {
    IssuingSiteTest::SetUp();
    clinic = fmt::format("onshi_session={}", user.session_token);
    mine = issue(user, onshi::test::certificate_form("2", "key-c"));
    ASSERT_EQ(mine.size(), 2u);
  }

  // ほかのクリニック (another institution) with one certificate issued; its cookie in other_cookie.
  IssuedCertificate other_clinic_certificates() {
    auto& s = a.s.env.services;
    EXPECT_TRUE(app::create_verified_account(s, {"other@clinic.example.jp", "1310123463",
                                                 "ほかのクリニック", "purple staple battery"})
                    .has_value());
    auto token = app::login(s, "other@clinic.example.jp", "purple staple battery");
    auto other = app::resolve_session(s, token->session_token);
    other_cookie = fmt::format("onshi_session={}", token->session_token);
    auto u = onshi::test::usage_form("1", "key-u2");
    u.customer_id = "CAF1234567891";
    EXPECT_TRUE(app::finalize_usage_application(s, *other, u).has_value());
    auto f = onshi::test::certificate_form("1", "key-c2");
    f.institution_code = "1310123463";
    f.institution_name = "ほかのクリニック";
    f.email = "other@clinic.example.jp";
    const auto issued = issue(*other, f);
    EXPECT_EQ(issued.size(), 1u);
    return issued.empty() ? IssuedCertificate{} : issued.front();
  }

  // A chain download (PEM), the first: the certificate becomes 有効 and its pickup 取得済.
  void download(const IssuedCertificate& c, const std::string& address = "192.0.2.10") {
    auto& s = a.s.env.services;
    auto grant = app::open_pickup(s, {c.number, c.code, address});
    ASSERT_TRUE(grant.has_value()) << grant.error().key;
    ASSERT_TRUE(app::download_chain(s, *grant, app::ChainFormat::pem, address).has_value());
  }

  // pki.pickup_max_attempts wrong codes.
  void lock(const IssuedCertificate& c) {
    for (int i = 0; i < a.s.env.config.pickup_max_attempts; ++i) {
      const auto r =
          app::open_pickup(a.s.env.services, {c.number, "AAAA-BBBB-CCCC-DDDD", "192.0.2.30"});
      ASSERT_FALSE(r.has_value());
    }
    ASSERT_TRUE(current(c.number).pickup_locked_at.has_value());
  }

  std::string clinic;        // Cookie header of テストクリニック's session
  std::string other_cookie;  // of ほかのクリニック's, once other_clinic_certificates() ran
  std::vector<IssuedCertificate> mine;
};

}  // namespace onshi::web::test
