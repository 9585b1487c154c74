// Every route of the real route table, with every method, as a visitor, a clinic and an operator
// (each with a valid CSRF token, so that bodies reach the handlers), fed what browsers never send:
// invalid UTF-8, NUL bytes, 100,000 form fields, the wrong content type, JSON nested 1,000 deep,
// garbage in the path and the query. None may be a 5xx, and a refused page or problem says why in
// Japanese. The HTTP layer's own refusals (sizes, smuggling, slow clients) are
// tests/integration/hostile_http.test.mjs's.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "admin_test_env.hpp"
#include "app/accounts/accounts.hpp"
#include "app/ca/crl_publisher.hpp"

namespace onshi::web {
namespace {

using test::AdminEnv;
using test::get;
using test::post;

// The route's path with `param` in each {name} segment and "a/b" for a trailing {name...}.
std::string instantiate(const std::string& pattern, const std::string& param) {
  std::string out;
  std::size_t from = 0;
  for (auto open = pattern.find('{'); open != std::string::npos; open = pattern.find('{', from)) {
    const auto close = pattern.find('}', open);
    out.append(pattern, from, open - from);
    out += pattern.compare(close - 3, 3, "...") == 0 ? "a/b" : param;
    from = close + 1;
  }
  out.append(pattern, from);
  return out;
}

// Hiragana, katakana or kanji (their UTF-8 lead bytes E3 to E9): the message is Japanese.
bool has_japanese(const std::string& text) {
  for (std::size_t i = 0; i + 2 < text.size(); ++i) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead >= 0xE3 && lead <= 0xE9 && (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80)
      return true;
  }
  return false;
}

struct Caller {
  std::string name;
  std::string cookie;
  std::string csrf;
};

class HostileRoutes : public ::testing::Test {
 protected:
  AdminEnv a;
  std::vector<Caller> callers;

  void SetUp() override {
    a.open_ca();
    auto& s = a.s.env.services;
    // A CA with its CRLs is healthy: /healthz answers 200, and a 503 there would be a finding.
    ASSERT_GT(app::publish_crls(s), 0);
    ASSERT_TRUE(app::create_verified_account(s, {"hostile@clinic.example.jp", "1310123455",
                                                 "テストクリニック", "correct horse battery"}));
    const auto session = app::login(s, "hostile@clinic.example.jp", "correct horse battery");
    ASSERT_TRUE(session);
    const std::string clinic = "onshi_session=" + session->session_token;
    const std::string admin = a.login("admin");
    const auto anon_page = a.s.handle(get("/login"));
    callers = {
        {"visitor", "onshi_csrf=" + test::set_cookie_value(anon_page, "onshi_csrf"),
         test::csrf_in(anon_page.body)},
        {"clinic", clinic, test::csrf_in(a.s.handle(get("/mypage", clinic)).body)},
        {"operator", admin, a.token_of("/admin", admin)},
    };
    for (const auto& c : callers) ASSERT_FALSE(c.csrf.empty()) << c.name;
  }

  // Sends `r` as `who`; a 5xx, or a refusal without Japanese, fails the test with what was sent.
  void expect_refused_well(Request r, const Caller& who, const std::string& what) {
    r.headers["cookie"] = who.cookie;
    const auto resp = a.s.handle(r);
    const std::string where = who.name + " " + r.method + " " + r.path + " (" + what + ")";
    ASSERT_LT(resp.status, 500) << where << ": " << resp.body.substr(0, 300);
    const auto type = test::header(resp, "Content-Type");
    const bool text = type.starts_with("text/") || type.find("json") != std::string::npos;
    if (resp.status >= 400 && text && r.method != "HEAD") {
      EXPECT_TRUE(has_japanese(resp.body)) << where << ": " << resp.status << " " << resp.body;
    }
  }
};

TEST_F(HostileRoutes, NoRouteAnswers5xxToHostileRequestsAndEveryRefusalIsInJapanese) {
  const std::string flood = [] {
    std::string f;
    for (int i = 0; i < 100'000; ++i) f += "f=1&";
    return f;
  }();
  std::string deep_json = std::string(1000, '[') + std::string(1000, ']');
  deep_json = "{\"a\":" + deep_json + "}";

  int sent = 0;
  for (const auto& route : a.s.site->routes()) {
    // Logging out would end the session the next routes are tried with.
    if (route.path.ends_with("/logout")) continue;
    for (const auto& who : callers) {
      const std::string token = "csrf_token=" + who.csrf;
      for (const std::string param : {"X", "%FF%FE", "a%00b", "C-00000001", "..%2F..%2Fetc"}) {
        const auto path = instantiate(route.path, param);
        for (const std::string method : {"GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
          auto r = get(path);
          r.method = method;
          expect_refused_well(r, who, "no body");
          ++sent;
        }
        for (const std::string query : {"%zz", "a=%FF", "a=%00", "&&=&"}) {
          expect_refused_well(get(path + "?" + query), who, "query " + query);
          ++sent;
        }
        if (param != "X") continue;  // the bodies once per route and caller
        const std::vector<std::pair<std::string, std::string>> bodies = {
            {"", "application/x-www-form-urlencoded"},
            {token + "&a=%FF%FE&email=%C0%80", "application/x-www-form-urlencoded"},
            {token + "&name=a%00b&email=%00&password=%00", "application/x-www-form-urlencoded"},
            {token + "&" + flood, "application/x-www-form-urlencoded"},
            {token + "&a=1", "text/plain"},
            {token + "&a=1", "multipart/form-data; boundary=x"},
            {token + "&a=1", ""},
            {deep_json, "application/json"},
            {"{\"a\":\"\xff\xfe\"}", "application/json"},
            {std::string("\x30\x82\xff\xff\x00\x00", 6), "application/ocsp-request"},
            {std::string("\x00\x01\x02\xff", 4), "application/pkcs10"},
        };
        for (const auto& [body, type] : bodies) {
          for (const std::string method : {"POST", "PUT", "PATCH"}) {
            auto r = post(path, body, {}, type);
            r.method = method;
            expect_refused_well(r, who, type + ", " + std::to_string(body.size()) + " bytes");
            ++sent;
          }
        }
      }
    }
  }
  EXPECT_GT(sent, 10'000);  // the table is walked, not skipped
}

}  // namespace
}  // namespace onshi::web
