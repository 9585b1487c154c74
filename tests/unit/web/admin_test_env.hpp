#pragma once
// A Site with operators of each role and a way to log them in through POST /admin/login with the
// TOTP code of the fake clock's time step.
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "app/ca/certificate_authority.hpp"
#include "app/office/operators.hpp"
#include "pki/authority.hpp"
#include "site_test_env.hpp"
#include "util/totp.hpp"

namespace onshi::web::test {

inline constexpr std::string_view kOperatorPassword = "operator password 2026";

struct AdminEnv {
  SiteEnv s;
  std::map<std::string, std::string> secrets;  // login -> TOTP secret
  std::unique_ptr<app::CertificateAuthority> ca;

  explicit AdminEnv(void (*configure)(app::Config&) = nullptr) : s(configure) {
    using namespace std::chrono;
    s.env.clock.set(sys_days{2026y / November / 24d} + hours{1});  // 10:00 in Japan, a Tuesday
    for (const auto* role : {"reviewer", "issuer", "admin"}) add_operator(role, role);
  }

  void add_operator(const std::string& login, const std::string& role) {
    auto created = app::create_operator(
        s.env.services, {login, login + " 担当", role, std::string(kOperatorPassword)});
    if (!created) throw std::runtime_error("create_operator " + login);
    secrets[login] = created->totp_secret;
  }

  std::string code_now(const std::string& login) {
    return util::totp_code(secrets.at(login), util::to_unix(s.env.clock.now()));
  }

  // A development CA (file keys) in the test's directory, loaded as `onshi serve` loads it.
  void open_ca() {
    auto& env = s.env;
    const auto pass = env.dir.path() / "ca-passphrase";
    std::ofstream(pass) << "unit test passphrase\n";
    env.config.ca_passphrase_file = pass.string();
    pki::init_ca(app::key_store_config(env.config), app::ca_settings(env.config), env.clock.now());
    ca = app::CertificateAuthority::open(env.config);
    if (!ca) throw std::runtime_error("CertificateAuthority::open");
    env.services.ca = ca.get();
  }

  // The anonymous CSRF cookie and the token of the login form.
  std::pair<std::string, std::string> login_form() {
    const auto page = s.handle(get("/admin/login"));
    return {"onshi_csrf=" + set_cookie_value(page, "onshi_csrf"), csrf_in(page.body)};
  }

  Response submit_login(const std::string& login, std::string_view password,
                        const std::string& code) {
    const auto [cookie, token] = login_form();
    return s.handle(post(
        "/admin/login",
        form_body(
            {{"csrf_token", token}, {"login", login}, {"password", password}, {"totp_code", code}}),
        cookie));
  }

  // Logs in (moving the clock to a fresh time step, since a code is accepted once) and returns
  // the Cookie header of the operator's session.
  std::string login(const std::string& login) {
    s.env.clock.advance(std::chrono::seconds{30});
    const auto r = submit_login(login, kOperatorPassword, code_now(login));
    if (r.status != 303) throw std::runtime_error("login " + login + ": " + r.body);
    return "onshi_admin=" + set_cookie_value(r, "onshi_admin");
  }

  // GET `path` as the operator and the csrf_token of its forms.
  std::string token_of(const std::string& path, const std::string& cookie) {
    return csrf_in(s.handle(get(path, cookie)).body);
  }

  // 承認 or 発行 of the application at `detail` the way an operator does it: through its
  // confirmation page (GET detail/ACTION), posting that page's form with `extra` fields (CSRs).
  Response decide(const std::string& detail, const std::string& cookie, std::string_view action,
                  std::initializer_list<std::pair<std::string_view, std::string_view>> extra = {}) {
    const auto page = s.handle(get(detail + "/" + std::string(action), cookie));
    const auto token = page.status == 200 ? csrf_in(page.body) : token_of(detail, cookie);
    const auto confirmed = hidden_value(page.body, "confirmed");
    std::vector<std::pair<std::string_view, std::string_view>> fields = {
        {"csrf_token", token}, {"action", action}, {"confirmed", confirmed}};
    fields.insert(fields.end(), extra.begin(), extra.end());
    return s.handle(post(detail, form_body(fields), cookie));
  }
};

}  // namespace onshi::web::test
