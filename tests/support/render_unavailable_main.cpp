// onshi_test_render_unavailable: what Site answers a page request whose handler met
// store::DatabaseUnavailable, as JSON {"status", "headers": [[name, value]…], "body"}, so that a
// browser test can check that page with axe-core (a SQLite database cannot be taken out of reach
// under a running `onshi serve`).
#include <cstdio>
#include <exception>
#include <iostream>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "unit/app/app_test_env.hpp"
#include "web/site.hpp"

int main() {
  using namespace onshi;
  spdlog::set_level(spdlog::level::off);  // stdout is the answer alone
  try {
    test::TestEnv env;
    web::Metrics metrics;
    web::Site site(env.services, metrics,
                   {web::get(
                       "/mypage",
                       [](web::Ctx&) -> web::Response {
                         throw store::DatabaseUnavailable("the test took the database away");
                       },
                       web::Access::anyone)});
    web::Request r;
    r.method = "GET";
    r.path = "/mypage";
    r.remote = "127.0.0.1";
    const auto resp = site.handle(r);
    nlohmann::json out = {{"status", resp.status}, {"headers", resp.headers}, {"body", resp.body}};
    std::cout << out.dump() << '\n';
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
