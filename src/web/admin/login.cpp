// The back-office login (password and the authenticator app's code) and logout.
#include "web/admin/admin.hpp"
#include "web/cookies.hpp"
#include "web/errors.hpp"

namespace onshi::web::admin {
namespace {

constexpr std::string_view kTitle = "運営者ログイン";

CookieOptions admin_cookie(const Ctx& ctx, long max_age = -1) {
  return {.secure = ctx.services().config.secure_cookies(),
          .max_age_seconds = max_age,
          .path = "/admin",
          .same_site = "Strict"};
}

Response login_form(Ctx& ctx) {
  if (ctx.operator_user()) return Response::redirect("/admin");
  return ctx.admin_page(200, "admin/login.html", std::string(kTitle), {});
}

Response login_submit(Ctx& ctx) {
  const auto& login = ctx.form().get("login");
  auto token = app::operator_login(ctx.services(), login, ctx.form().get("password"),
                                   ctx.form().get("totp_code"), ctx.admin_cookie());
  if (!token) {
    // The login is kept; the password and the one-time code never come back in the page.
    util::TemplateData d;
    d.set("login", login);
    d.set("form_error", ctx.message(token.error().key));
    return ctx.admin_page(http_status(token.error().code), "admin/login.html", std::string(kTitle),
                          d);
  }
  Response resp = Response::redirect("/admin");
  resp.header("Set-Cookie", set_cookie("onshi_admin", *token, admin_cookie(ctx)));
  return resp;
}

Response logout_submit(Ctx& ctx) {
  if (!ctx.admin_cookie().empty()) app::operator_logout(ctx.services(), ctx.admin_cookie());
  Response resp = Response::redirect(std::string(kLoginPath));
  resp.header("Set-Cookie", set_cookie("onshi_admin", "", admin_cookie(ctx, 0)));
  return resp;
}

}  // namespace

void add_login_routes(Routes& routes) {
  // The one back-office page for visitors.
  routes.push_back(get(std::string(kLoginPath), login_form, Access::anyone));
  routes.push_back(post(std::string(kLoginPath), login_submit, Access::anyone, Body::visitor_form)
                       .hashes_password());
  // Clears the cookie whether or not its session still lives.
  routes.push_back(post("/admin/logout", logout_submit, Access::anyone, Body::form));
}

}  // namespace onshi::web::admin
