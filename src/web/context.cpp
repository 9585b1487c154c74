#include "web/context.hpp"

#include <set>
#include "app/core/contact.hpp"

#include "app/accounts/api_tokens.hpp"
#include "app/office/review.hpp"
#include "util/secrets.hpp"
#include "util/text.hpp"
#include "web/cookies.hpp"

namespace onshi::web {

bool is_admin_path(std::string_view path) {
  return path == "/admin" || path.starts_with("/admin/");
}

Ctx::Ctx(const app::Services& s, const Request& r, std::string csrf_key)
    : s_(s), r_(r), csrf_key_(std::move(csrf_key)) {
  const auto cookies = r.header("cookie");
  session_cookie_ = cookie_value(cookies, "onshi_session");
  csrf_cookie_ = cookie_value(cookies, "onshi_csrf");
  admin_cookie_ = cookie_value(cookies, "onshi_admin");
}

const std::optional<app::SessionUser>& Ctx::user() {
  if (!user_resolved_) {
    user_resolved_ = true;
    if (!session_cookie_.empty()) user_ = app::resolve_session(s_, session_cookie_);
  }
  return user_;
}

const std::optional<app::SessionUser>& Ctx::api_user() {
  if (!api_user_resolved_) {
    api_user_resolved_ = true;
    const auto authorization = r_.header("authorization");
    if (authorization.empty()) {
      api_user_ = user();
    } else if (const auto token = bearer_token(authorization)) {
      api_user_ = app::resolve_api_token(s_, *token);
    }
  }
  return api_user_;
}

const std::optional<app::OperatorSessionUser>& Ctx::operator_user() {
  if (!operator_resolved_) {
    operator_resolved_ = true;
    if (!admin_cookie_.empty()) operator_user_ = app::resolve_operator_session(s_, admin_cookie_);
  }
  return operator_user_;
}

std::string Ctx::csrf_token() {
  if (is_admin_path(r_.path)) {
    if (operator_user()) return util::hmac_sha256_b64(csrf_key_, "admin:" + admin_cookie_);
  } else if (user()) {
    return util::hmac_sha256_b64(csrf_key_, "session:" + session_cookie_);
  }
  if (csrf_cookie_.empty() || csrf_cookie_.size() > 64) {
    csrf_cookie_ = util::random_token();
    set_cookies.push_back(
        set_cookie("onshi_csrf", csrf_cookie_, {.secure = s_.config.secure_cookies()}));
  }
  return util::hmac_sha256_b64(csrf_key_, "anon:" + csrf_cookie_);
}

bool Ctx::csrf_ok(std::string_view submitted, bool visitor_form) {
  if (submitted.empty()) return false;
  const bool admin = is_admin_path(r_.path);
  const std::string& cookie = admin ? admin_cookie_ : session_cookie_;
  // The binding of the session cookie sent, valid or not: a form shown while signed in and sent
  // after the session ended reaches its page, which asks to log in again. A clinic's session
  // never vouches for a back-office form, nor an operator's for a portal one.
  if (!cookie.empty() &&
      util::constant_time_equal(
          submitted, util::hmac_sha256_b64(csrf_key_, (admin ? "admin:" : "session:") + cookie))) {
    return true;
  }
  // While a session is valid, an anonymous pair does not vouch for its forms: the pair could
  // have been planted (a cookie set from a sibling host). Forms for visitors (login,
  // registration, password reset) take it anyway: a visitor's form opened before logging in
  // elsewhere still works, and a planted pair gains nothing a visitor does not have.
  const bool signed_in = admin ? operator_user().has_value() : user().has_value();
  if (signed_in && !visitor_form) return false;
  return !csrf_cookie_.empty() &&
         util::constant_time_equal(submitted,
                                   util::hmac_sha256_b64(csrf_key_, "anon:" + csrf_cookie_));
}

const std::string& Ctx::param(const std::string& name) const {
  static const std::string none;
  const auto it = params_.find(name);
  return it == params_.end() ? none : it->second;
}

void Ctx::add_errors(util::TemplateData& data, const app::FieldErrors& errors) const {
  // The summary at the top repeats each message as a link to its field (WCAG 3.3.1, and the way
  // GOV.UK forms do it), so a person on a phone who sees only the top of the page can reach each
  // field in turn. A field refused twice is listed once.
  util::TemplateData list{util::TemplateData::type::list};
  std::set<std::string> listed;
  for (const auto& e : errors) {
    const std::string message = s_.messages.format(e.key, e.args);
    data.set(e.field + "_error", message);
    if (!listed.insert(e.field).second) continue;
    util::TemplateData item;
    item.set("field", e.field);
    item.set("message", message);
    list.push_back(item);
  }
  if (errors.empty()) return;
  data.set("has_errors", true);
  util::TemplateData summary;
  summary.set("errors", list);
  data.set("error_summary", s_.templates.render("error_summary.html", summary));
}

void add_contact(const app::Services& s, util::TemplateData& page, util::TemplateData& layout) {
  const util::TemplateData desk = app::contact_data(s.config.contact);
  const std::string block = s.templates.render("contact.html", desk);
  for (auto* d : {&page, &layout}) {
    d->set("desk", desk);
    d->set("contact_block", block);
  }
}

Response Ctx::page(int status, const std::string& name, const std::string& title,
                   util::TemplateData data) {
  data.set("csrf_token", csrf_token());
  data.set("mail_domain", s_.config.mail_domain());
  util::TemplateData layout;
  add_contact(s_, data, layout);
  const std::string content = s_.templates.render(name, data);
  layout.set("title", title);
  layout.set("content", content);
  layout.set("csrf_token", csrf_token());
  if (const auto& u = user()) {
    util::TemplateData who;
    who.set("institution_name", u->institution.name);
    who.set("email", u->account.email);
    layout.set("user", who);
  }
  Response resp = Response::text(status, "text/html; charset=utf-8",
                                 s_.templates.render("layout.html", layout));
  resp.header("Cache-Control", "no-store");
  return resp;
}

Response Ctx::admin_page(int status, const std::string& name, const std::string& title,
                         util::TemplateData data) {
  data.set("csrf_token", csrf_token());
  const std::string content = s_.templates.render(name, data);
  util::TemplateData layout;
  layout.set("title", title);
  layout.set("content", content);
  layout.set("csrf_token", csrf_token());
  if (const auto& o = operator_user()) {
    util::TemplateData who;
    who.set("display_name", o->op.display_name);
    who.set("login", o->op.login);
    who.set("role_label", s_.messages.get("role." + std::string(app::role_key(o->actor.role))));
    who.set("can_letters", app::allowed(o->actor.role, app::Permission::letters));
    who.set("can_audit", app::allowed(o->actor.role, app::Permission::read_audit));
    who.set("can_billing", app::allowed(o->actor.role, app::Permission::billing));
    // The menu says how much work waits (issue 14 §7), read once per page; a page (an error
    // page above all) is still shown, without the counts, when counting fails.
    std::optional<app::OfficeCounts> counted;
    try {
      counted = app::office_counts(s_);
    } catch (const std::exception&) {
      counted.reset();
    }
    const auto counts = counted.value_or(app::OfficeCounts{});
    who.set("counted", counted.has_value());
    who.set("to_review", std::to_string(counts.to_review));
    who.set("to_issue", std::to_string(counts.to_issue));
    who.set("to_print", std::to_string(counts.to_print));
    who.set("to_mail", std::to_string(counts.to_mail));
    who.set("overdue", std::to_string(counts.overdue));
    who.set("has_overdue", counts.overdue > 0);
    layout.set("operator", who);
  }
  Response resp = Response::text(status, "text/html; charset=utf-8",
                                 s_.templates.render("admin/layout.html", layout));
  resp.header("Cache-Control", "no-store");
  return resp;
}

}  // namespace onshi::web
