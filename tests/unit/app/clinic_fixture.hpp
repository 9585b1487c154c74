#pragma once
// The test clinic used by the application and back-office tests: テストクリニック (医療機関コード
// 1310123455, staff@clinic.example.jp), logged in, with the forms it fills in.
#include <stdexcept>
#include <string>

#include "app/accounts/accounts.hpp"
#include "app/applications/certificate_applications.hpp"
#include "app/applications/usage_applications.hpp"

namespace onshi::test {

inline constexpr const char* kClinicEmail = "staff@clinic.example.jp";
inline constexpr const char* kClinicPassword = "correct horse battery";

// Creates the clinic's verified account and returns its logged-in session.
inline app::SessionUser logged_in_clinic(const app::Services& s) {
  if (!app::create_verified_account(
          s, {kClinicEmail, "1310123455", "テストクリニック", kClinicPassword})) {
    throw std::runtime_error("create_verified_account");
  }
  auto token = app::login(s, kClinicEmail, kClinicPassword);
  if (!token) throw std::runtime_error("login");
  auto user = app::resolve_session(s, token->session_token);
  if (!user) throw std::runtime_error("resolve_session");
  return *user;
}

// オンライン資格確認の利用申請 for `terminals` terminals, starting 2026-12-20.
inline app::UsageForm usage_form(std::string terminals = "2", std::string key = "key-u") {
  return {"flets_next_east", "CAF1234567890", "2026-12-20",   std::move(terminals),
          "ベンダ株式会社",  "担当",          "03-1234-5678", "",
          std::move(key)};
}

// 電子証明書発行申請 for `count` certificates, to be mailed to 〒104-0061 東京都中央区銀座.
inline app::CertificateForm certificate_form(std::string count = "1", std::string key = "key-c") {
  return {"2",
          "13",
          "131024",
          "104-0061",
          "銀座1-2-3 オンシビル5階",
          "1310123455",
          "テストクリニック",
          "事務",
          "山田 花子",
          "03-1234-5678",
          kClinicEmail,
          "オンライン資格確認利用アイコン",
          std::move(count),
          std::move(key),
          ""};
}

}  // namespace onshi::test
