// Registration, e-mail verification, login and logout.
#include "web/cookies.hpp"
#include "web/errors.hpp"
#include "web/site.hpp"

namespace onshi::web {
namespace {

Response register_form(Ctx& ctx) {
  return ctx.page(200, "register.html", "アカウント登録", {});
}

Response register_submit(Ctx& ctx) {
  const auto& f = ctx.form();
  app::RegistrationInput in{f.get("email"), f.get("password"), f.get("password_confirm"),
                            f.get("institution_code"), f.get("institution_name")};
  auto result = app::register_account(ctx.services(), in);
  if (!result) {
    util::TemplateData d;
    d.set("email", in.email);
    d.set("institution_code", in.institution_code);
    d.set("institution_name", in.institution_name);
    ctx.add_errors(d, result.error().fields);
    return ctx.page(http_status(result.error().code), "register.html", "アカウント登録", d);
  }
  util::TemplateData d;
  d.set("email", in.email);
  return ctx.page(200, "register_sent.html", "確認メールを送信しました", d);
}

Response verify_form(Ctx& ctx) {
  const auto token = Form::parse(ctx.request().query);
  util::TemplateData d;
  d.set("token", token ? token->get("token") : std::string());
  return ctx.page(200, "verify.html", "メールアドレスの確認", d);
}

Response verify_submit(Ctx& ctx) {
  if (!app::verify_email(ctx.services(), ctx.form().get("token"))) {
    return ctx.page(400, "link_invalid.html", "リンクが無効です", {});
  }
  return ctx.page(200, "verified.html", "メールアドレスの確認が完了しました", {});
}

Response login_form(Ctx& ctx) {
  if (ctx.user()) return Response::redirect("/mypage");
  return ctx.page(200, "login.html", "ログイン", {});
}

Response login_submit(Ctx& ctx) {
  const auto& email = ctx.form().get("email");
  auto result = app::login(ctx.services(), email, ctx.form().get("password"), ctx.session_cookie());
  if (!result) {
    util::TemplateData d;
    d.set("email", email);
    d.set("form_error", ctx.message(result.error().key));
    return ctx.page(http_status(result.error().code), "login.html", "ログイン", d);
  }
  Response resp = Response::redirect("/mypage");
  resp.header("Set-Cookie", set_cookie("onshi_session", result->session_token,
                                       {.secure = ctx.services().config.secure_cookies()}));
  return resp;
}

Response logout_submit(Ctx& ctx) {
  if (!ctx.session_cookie().empty()) app::logout(ctx.services(), ctx.session_cookie());
  Response resp = Response::redirect("/");
  resp.header("Set-Cookie",
              set_cookie("onshi_session", "",
                         {.secure = ctx.services().config.secure_cookies(), .max_age_seconds = 0}));
  return resp;
}

}  // namespace

void add_account_routes(Routes& routes) {
  routes.push_back(get("/register", register_form, Access::anyone));
  routes.push_back(
      post("/register", register_submit, Access::anyone, Body::visitor_form).hashes_password());
  routes.push_back(get("/verify", verify_form, Access::anyone));
  routes.push_back(post("/verify", verify_submit, Access::anyone, Body::visitor_form));
  routes.push_back(get("/login", login_form, Access::anyone));
  routes.push_back(
      post("/login", login_submit, Access::anyone, Body::visitor_form).hashes_password());
  // Logging out without a session does nothing, so it needs none.
  routes.push_back(post("/logout", logout_submit, Access::anyone, Body::form));
}

}  // namespace onshi::web
