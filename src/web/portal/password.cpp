// Password change (logged in), forgotten password and reset by e-mailed link.
#include "web/errors.hpp"
#include "web/site.hpp"

namespace onshi::web {
namespace {

Response change_form(Ctx& ctx) {
  return ctx.page(200, "password_change.html", "パスワード変更", {});
}

Response change_submit(Ctx& ctx) {
  const auto& user = ctx.user();
  const auto& f = ctx.form();
  auto result = app::change_password(
      ctx.services(), *user,
      {f.get("current_password"), f.get("new_password"), f.get("new_password_confirm")});
  if (!result) {
    util::TemplateData d;
    ctx.add_errors(d, result.error().fields);
    return ctx.page(http_status(result.error().code), "password_change.html", "パスワード変更", d);
  }
  return ctx.page(200, "password_changed.html", "パスワードを変更しました", {});
}

Response forgot_form(Ctx& ctx) {
  return ctx.page(200, "password_forgot.html", "パスワードの再設定", {});
}

Response forgot_submit(Ctx& ctx) {
  const auto& email = ctx.form().get("email");
  if (email.empty()) {
    util::TemplateData d;
    ctx.add_errors(d, {{"email", "email.empty"}});
    return ctx.page(422, "password_forgot.html", "パスワードの再設定", d);
  }
  app::request_password_reset(ctx.services(), email);
  return ctx.page(200, "password_reset_sent.html", "パスワード再設定のご案内をお送りしました", {});
}

Response reset_form(Ctx& ctx) {
  const auto query = Form::parse(ctx.request().query);
  util::TemplateData d;
  d.set("token", query ? query->get("token") : std::string());
  return ctx.page(200, "password_reset.html", "パスワードの再設定", d);
}

Response reset_submit(Ctx& ctx) {
  const auto& f = ctx.form();
  auto result = app::reset_password(
      ctx.services(), {f.get("token"), f.get("new_password"), f.get("new_password_confirm")});
  if (!result) {
    // A dead link is a 400 page of its own, not a login prompt.
    if (result.error().is(app::FailureCode::unauthenticated))
      return ctx.page(400, "link_invalid.html", "リンクが無効です", {});
    util::TemplateData d;
    d.set("token", f.get("token"));
    ctx.add_errors(d, result.error().fields);
    return ctx.page(422, "password_reset.html", "パスワードの再設定", d);
  }
  return ctx.page(200, "password_reset_done.html", "パスワードを再設定しました", {});
}

}  // namespace

void add_password_routes(Routes& routes) {
  routes.push_back(get("/password/change", change_form, Access::clinic));
  routes.push_back(
      post("/password/change", change_submit, Access::clinic, Body::form).hashes_password());
  routes.push_back(get("/password/forgot", forgot_form, Access::anyone));
  routes.push_back(post("/password/forgot", forgot_submit, Access::anyone, Body::visitor_form));
  routes.push_back(get("/password/reset", reset_form, Access::anyone));
  routes.push_back(
      post("/password/reset", reset_submit, Access::anyone, Body::visitor_form).hashes_password());
}

}  // namespace onshi::web
