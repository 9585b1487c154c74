#pragma once
// What a page handler gets: the request, the parsed form, who is logged in, and helpers to answer
// with a rendered page. Built by Site for each request.
#include <functional>
#include <map>
#include <optional>

#include "app/accounts/accounts.hpp"
#include "app/core/services.hpp"
#include "app/office/operators.hpp"
#include "util/templates.hpp"
#include "web/authorization.hpp"
#include "web/forms.hpp"
#include "web/http.hpp"

namespace onshi::web {

// The back office: its own login, cookie and CSRF binding, and never cached.
bool is_admin_path(std::string_view path);

// The desk to contact (config [contact]) for a portal page: `desk` (its fields) and
// `contact_block` (templates/contact.html) on both the page's data and the layout's.
void add_contact(const app::Services& s, util::TemplateData& page, util::TemplateData& layout);

class Ctx {
 public:
  Ctx(const app::Services& s, const Request& r, std::string csrf_key);

  const app::Services& services() const { return s_; }
  const Request& request() const { return r_; }
  const Form& form() const { return form_; }
  void set_form(Form f) { form_ = std::move(f); }
  // The route's {name} segment of the path (site.hpp), as sent; empty for a name it has not.
  const std::string& param(const std::string& name) const;
  void set_params(std::map<std::string, std::string> p) { params_ = std::move(p); }

  // The logged-in user, resolved from the session cookie once per request.
  const std::optional<app::SessionUser>& user();
  const std::string& session_cookie() const { return session_cookie_; }
  // For the JSON API: the account behind `Authorization: Bearer`, else behind the session cookie.
  const std::optional<app::SessionUser>& api_user();
  // The back-office operator, from the onshi_admin cookie (sent only below /admin).
  const std::optional<app::OperatorSessionUser>& operator_user();
  const std::string& admin_cookie() const { return admin_cookie_; }

  // The token forms must carry; bound to the session when logged in, else to the onshi_csrf cookie
  // (created on first use and sent with the response). Below /admin an operator's session takes
  // the place of the clinic's, which is never accepted there.
  std::string csrf_token();
  // `visitor_form`: a form for visitors (login, registration, password reset), which takes the
  // anonymous binding even while a session is valid; other forms then need the session's.
  bool csrf_ok(std::string_view submitted, bool visitor_form);

  // A full page: templates/NAME inside templates/layout.html, with the common values set.
  Response page(int status, const std::string& name, const std::string& title,
                util::TemplateData data);
  // A back-office page: templates/NAME inside templates/admin/layout.html, with the operator's
  // name and role and the menu their role may use.
  Response admin_page(int status, const std::string& name, const std::string& title,
                      util::TemplateData data);
  // The text of message `key` from the catalogue.
  const std::string& message(std::string_view key) const { return s_.messages.get(key); }
  // Sets FIELD_error for each error, for the form template to show beside the field.
  void add_errors(util::TemplateData& data, const app::FieldErrors& errors) const;

  // Cookies to send with whatever response the handler returns.
  std::vector<std::string> set_cookies;

 private:
  const app::Services& s_;
  const Request& r_;
  std::string csrf_key_;
  Form form_;
  std::map<std::string, std::string> params_;
  std::string session_cookie_;
  std::string csrf_cookie_;
  std::string admin_cookie_;
  bool user_resolved_ = false;
  std::optional<app::SessionUser> user_;
  bool api_user_resolved_ = false;
  std::optional<app::SessionUser> api_user_;
  bool operator_resolved_ = false;
  std::optional<app::OperatorSessionUser> operator_user_;
};

using Handler = std::function<Response(Ctx&)>;

}  // namespace onshi::web
