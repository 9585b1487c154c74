#pragma once
// The pickup pages' test fixture: a Site with a real CA, the test clinic with an issued
// application (codes read as the letter will print them), and the page's forms posted the way a
// browser posts them (the anonymous CSRF cookie of GET /pickup, the grant of the page).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "app/applications/certificate_applications.hpp"
#include "app/applications/usage_applications.hpp"
#include "app/ca/issuance.hpp"
#include "app/ca/pickup.hpp"
#include "app/office/review.hpp"
#include "issued_certificates_env.hpp"
#include "support/shell.hpp"
#include "support/typed_loosely.hpp"

namespace onshi::web::test {

inline std::string run_command(const std::string& command) {
  return onshi::test::shell_output(command);
}

class PickupPagesTest : public IssuingSiteTest {
 protected:
  app::Services& services() { return a.s.env.services; }

  using IssuingSiteTest::issue;
  // An application of `count` certificates, approved and issued with generated keys.
  std::vector<IssuedCertificate> issue(const std::string& count, const std::string& key) {
    return issue(user, onshi::test::certificate_form(count, key));
  }

  // GET /pickup (?n=...) as a browser without cookies: the page, and the cookie and token its
  // forms need.
  Response entry(const std::string& query = {}) {
    auto r = a.s.handle(get("/pickup" + query));
    const auto value = set_cookie_value(r, "onshi_csrf");
    if (!value.empty()) cookie = "onshi_csrf=" + value;
    token = csrf_in(r.body);
    return r;
  }

  Response post_form(const std::string& path,
                     std::vector<std::pair<std::string_view, std::string_view>> fields,
                     const std::string& address = "192.0.2.20") {
    if (token.empty()) entry();
    fields.emplace_back("csrf_token", token);
    auto request = post(path, form_body(fields), cookie);
    request.remote = address;
    return a.s.handle(request);
  }

  Response open(const std::string& number, const std::string& code,
                const std::string& address = "192.0.2.20") {
    return post_form("/pickup", {{"issuance_number", number}, {"pickup_code", code}}, address);
  }

  std::string cookie;
  std::string token;
};

using onshi::test::typed_loosely;

inline bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace onshi::web::test
