#include "web/site.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "app/accounts/accounts.hpp"
#include "store/database.hpp"
#include "util/text.hpp"
#include "web/admin/admin.hpp"
#include "web/context.hpp"
#include "web/problem.hpp"

namespace onshi::web {
namespace {

// How long a client should wait before trying again when the database is out of reach: about
// what a PostgreSQL restart or a failover takes.
constexpr std::string_view kRetryAfterSeconds = "5";
// When the password pool is full: a burst of logins drains in a second or two (64 waiting, two
// threads, tens of milliseconds each).
constexpr std::string_view kPasswordRetryAfterSeconds = "2";

bool is_api(const Request& r) {
  return r.path.starts_with("/api/");
}

// The media type of Content-Type without its parameters, lower-cased (RFC 9110 §8.3.1).
std::string media_type(const Request& r) {
  std::string type = util::ascii_lower(r.header("content-type"));
  if (const auto semicolon = type.find(';'); semicolon != std::string::npos) type.resize(semicolon);
  return std::string(util::trim(type));
}

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 1;  // past the leading '/'
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    out.push_back(path.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

// The 503 page of database_unavailable.* or password_busy.*. Nothing on it needs the database: no
// session, no menu counts.
Response unavailable_page(const app::Services& s, std::string_view messages) {
  util::TemplateData d;
  for (const auto* key : {"title", "lead", "retry", "sent"}) {
    d.set(key, s.messages.get(fmt::format("{}.{}", messages, key)));
  }
  util::TemplateData layout;
  add_contact(s, d, layout);
  layout.set("title", s.messages.get(fmt::format("{}.title", messages)));
  layout.set("content", s.templates.render("unavailable.html", d));
  auto resp =
      Response::text(503, "text/html; charset=utf-8", s.templates.render("layout.html", layout));
  resp.header("Cache-Control", "no-store");
  return resp;
}

// When even that page cannot be made (out of memory, a template gone).
Response plain_unavailable() {
  auto resp =
      Response::text(503, "text/plain; charset=utf-8", "ただいまサービスを利用できません。\n");
  resp.header("Cache-Control", "no-store");
  return resp;
}

}  // namespace

bool is_est_path(std::string_view path) {
  return path.starts_with("/.well-known/est/");
}

Response est_text(int status, std::string_view message) {
  // One line: EST clients print the first line of a refusal, or the whole body as it is.
  std::string line(message);
  for (auto& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  line += '\n';
  Response r = Response::text(status, "text/plain; charset=utf-8", std::move(line));
  r.header("Cache-Control", "no-store");
  return r;
}

std::optional<std::map<std::string, std::string>> match_path(std::string_view pattern,
                                                             std::string_view path) {
  if (!path.starts_with('/') || !pattern.starts_with('/')) return std::nullopt;
  if (pattern.find('{') == std::string_view::npos) {
    if (pattern != path) return std::nullopt;
    return std::map<std::string, std::string>{};
  }
  const auto want = segments(pattern);
  const auto got = segments(path);
  std::map<std::string, std::string> params;
  for (std::size_t i = 0; i < want.size(); ++i) {
    const auto w = want[i];
    const bool is_param = w.size() > 2 && w.front() == '{' && w.back() == '}';
    if (is_param && w.ends_with("...}")) {
      // The rest of the path, possibly empty ("/static/" gives "").
      if (i >= got.size()) return std::nullopt;
      const auto offset = static_cast<std::size_t>(got[i].data() - path.data());
      params.emplace(std::string(w.substr(1, w.size() - 5)), std::string(path.substr(offset)));
      return params;
    }
    if (i >= got.size()) return std::nullopt;
    if (is_param) {
      if (got[i].empty()) return std::nullopt;
      params.emplace(std::string(w.substr(1, w.size() - 2)), std::string(got[i]));
    } else if (w != got[i]) {
      return std::nullopt;
    }
  }
  if (got.size() != want.size()) return std::nullopt;
  return params;
}

bool is_pickup_path(std::string_view path) {
  return path == "/pickup" || path.starts_with("/pickup/");
}

void add_security_headers(Response& r, bool https, bool no_referrer) {
  r.header("Content-Security-Policy",
           "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
           "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'");
  r.header("X-Content-Type-Options", "nosniff");
  r.header("Referrer-Policy", no_referrer ? "no-referrer" : "same-origin");
  r.header("X-Frame-Options", "DENY");
  if (https) r.header("Strict-Transport-Security", "max-age=31536000");
}

Site::Site(const app::Services& s, Metrics& metrics, Routes routes)
    : s_(s), metrics_(metrics), routes_(std::move(routes)) {
  csrf_key_ = app::csrf_key(s_);
  for (const auto& route : routes_) {
    if (route.password_work) password_routes_.push_back(&route);
  }
}

Site::Site(const app::Services& s, Metrics& metrics) : s_(s), metrics_(metrics) {
  csrf_key_ = app::csrf_key(s_);
  // First: relying parties ask it tens of thousands of times a second, and routes are tried in
  // order (its paths overlap no other).
  add_ocsp_routes(routes_, metrics_);
  add_portal_routes(routes_);
  add_account_routes(routes_);
  add_password_routes(routes_);
  add_usage_routes(routes_);
  add_api_routes(routes_);
  add_certificate_routes(routes_);
  add_cpipcs_routes(routes_);
  add_help_routes(routes_);
  add_pickup_routes(routes_);
  add_terminal_check_routes(routes_);
  add_ops_routes(routes_, metrics_);
  add_admin_routes(routes_);
  add_est_routes(routes_);
  add_ca_certificate_routes(routes_);
  add_crl_routes(routes_);
  for (const auto& route : routes_) {
    if (route.password_work) password_routes_.push_back(&route);
  }
}

bool Site::is_password_work(const Request& r) const noexcept {
  try {
    if (r.method != "POST") return false;
    // Routes are tried in order: a password route answers only when no route before it matches
    // the same method and path, which holds for the literal paths they have (route_policy_test).
    return std::ranges::any_of(password_routes_, [&](const Route* route) {
      return route->method == r.method && match_path(route->path, r.path).has_value();
    });
  } catch (...) {
    return false;  // out of memory: the request is answered where it is
  }
}

Response Site::password_busy(const Request& r) noexcept {
  Response resp;
  try {
    resp = unavailable_page(s_, "password_busy");
  } catch (const std::exception& e) {
    spdlog::error("password busy page for {} failed: {}", r.path, e.what());
    resp = plain_unavailable();
  }
  resp.header("Retry-After", std::string(kPasswordRetryAfterSeconds));
  add_security_headers(resp, s_.config.base_url.starts_with("https://"), false);
  try {
    metrics_.observe(r.path, r.method, resp.status, 0.0);
    spdlog::warn("http method={} path={} status=503 password pool full remote={}", r.method, r.path,
                 r.remote);
  } catch (...) {
    // Out of memory: the answer goes out uncounted.
  }
  return resp;
}

Response Site::handle(const Request& r) noexcept {
  const auto started = std::chrono::steady_clock::now();
  std::string route_name = "unmatched";
  Response resp;
  try {
    resp = dispatch(r, route_name);
  } catch (const store::DatabaseUnavailable& e) {
    // Passing: a 503 the client may retry, never a 500 (and the balancer's /readyz drains us).
    spdlog::warn("request {} {}: database unavailable: {}", r.method, r.path, e.what());
    resp = unavailable(r);
  } catch (const store::TransientConflict& e) {
    // Another process held the database's lock past every retry (the busy timeout each): as busy
    // as a database out of reach, and as harmless to try again.
    spdlog::warn("request {} {}: database busy: {}", r.method, r.path, e.what());
    resp = unavailable(r);
  } catch (const std::exception& e) {
    spdlog::error("request {} {} failed: {}", r.method, r.path, e.what());
    resp = error_page(500, r);
  }
  const bool pickup = is_pickup_path(r.path);
  add_security_headers(resp, s_.config.base_url.starts_with("https://"), pickup);
  // Every back-office answer, redirects and refusals included, names applications and operators;
  // a pickup answer names a certificate or carries its key.
  if ((pickup || is_admin_path(r.path)) && std::ranges::none_of(resp.headers, [](const auto& h) {
        return h.first == "Cache-Control";
      })) {
    resp.header("Cache-Control", "no-store");
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics_.observe(route_name, r.method, resp.status, seconds);
  spdlog::info("http method={} path={} route={} status={} ms={:.1f} remote={}", r.method, r.path,
               route_name, resp.status, seconds * 1000, r.remote);
  return resp;
}

Response Site::dispatch(const Request& r, std::string& route_name) {
  const Route* match = nullptr;
  std::map<std::string, std::string> params;
  bool path_known = false;
  std::string allow;
  for (const auto& route : routes_) {
    auto matched = match_path(route.path, r.path);
    if (!matched) continue;
    path_known = true;
    if (!allow.empty()) allow += ", ";
    allow += route.method == "GET" ? "GET, HEAD" : route.method;
    if (route.method == r.method || (route.method == "GET" && r.method == "HEAD")) {
      match = &route;
      params = std::move(*matched);
      break;
    }
  }
  if (!match) return error_page(path_known ? 405 : 404, r, allow);
  route_name = match->path;

  if (r.body.size() > s_.config.max_body_bytes) return error_page(413, r);
  Ctx ctx(s_, r, csrf_key_);
  ctx.set_params(std::move(params));
  auto refused = enforce(*match, ctx);
  Response resp = refused ? std::move(*refused) : match->handler(ctx);
  for (auto& c : ctx.set_cookies) resp.header("Set-Cookie", std::move(c));
  if (r.method == "HEAD") resp.body.clear();
  return resp;
}

std::optional<Response> Site::enforce(const Route& route, Ctx& ctx) {
  // Before anything is read: on the plain listener even a right request is answered only with
  // where to send it (a Basic password or a key must not cross the network in clear).
  if (route.tls_only && !ctx.request().tls) {
    return est_text(403, s_.messages.get("est.https_only"));
  }
  // A page's form is read and its CSRF token checked before who sends it (a stale form answers
  // 403 whether or not its session lived); the JSON API checks its token first (401 before 415).
  if (route.body != Body::json) {
    if (auto refused = check_body(route, ctx)) return refused;
  }
  if (auto refused = check_access(route, ctx)) return refused;
  return std::nullopt;
}

std::optional<Response> Site::check_access(const Route& route, Ctx& ctx) {
  const Request& r = ctx.request();
  switch (route.access) {
    case Access::anyone:
      break;
    case Access::clinic:
      if (!ctx.user()) return Response::redirect("/login");
      break;
    case Access::clinic_api:
      if (!ctx.api_user()) return problem(s_, 401, "unauthenticated", r.path);
      break;
    case Access::staff:
      if (auto stop = admin::guard(ctx, route.permission)) return stop;
      break;
    case Access::tls_client:
      if (r.peer_certificates.empty()) return error_page(401, r);
      break;
    case Access::pickup_code:
      if (!basic_credentials(r.header("authorization"))) {
        Response refused = est_text(401, s_.messages.get("est.basic_auth"));
        refused.header("WWW-Authenticate", "Basic realm=\"onshi EST\", charset=\"UTF-8\"");
        return refused;
      }
      break;
  }
  return std::nullopt;
}

std::optional<Response> Site::check_body(const Route& route, Ctx& ctx) {
  const Request& r = ctx.request();
  if (r.method != "POST") return std::nullopt;
  switch (route.body) {
    case Body::none:
      // A POST route always says what it takes (the route-policy test).
      return error_page(415, r);
    case Body::form:
    case Body::visitor_form: {
      if (media_type(r) != "application/x-www-form-urlencoded") return error_page(415, r);
      auto form = Form::parse(r.body);
      if (!form) return error_page(400, r);
      ctx.set_form(std::move(*form));
      if (!ctx.csrf_ok(ctx.form().get("csrf_token"), route.body == Body::visitor_form)) {
        // The page says the form expired, which is what it usually is; the log says what it was.
        spdlog::warn("csrf refused method={} path={} remote={}", r.method, r.path, r.remote);
        return error_page(403, r);
      }
      break;
    }
    case Body::json:
      // The handler reads it (json_body.hpp), which answers 415 with the API's own problem.
      break;
    case Body::binary:
      if (media_type(r) != route.content_type) return error_page(415, r);
      break;
  }
  return std::nullopt;
}

Response Site::unavailable(const Request& r) noexcept {
  Response resp;
  try {
    if (is_est_path(r.path)) {
      resp = est_text(503, s_.messages.get("database_unavailable.est"));
    } else if (is_api(r)) {
      resp = problem(s_, 503, "unavailable", r.path,
                     s_.messages.get("database_unavailable.api_detail"));
    } else {
      resp = unavailable_page(s_, "database_unavailable");
    }
  } catch (const std::exception& e) {
    spdlog::error("unavailable page for {} failed: {}", r.path, e.what());
    resp = plain_unavailable();
  }
  resp.header("Retry-After", std::string(kRetryAfterSeconds));
  if (r.method == "HEAD") resp.body.clear();
  return resp;
}

Response Site::error_page(int status, const Request& r, const std::string& allow) noexcept {
  try {
    if (is_est_path(r.path)) {
      Response t = est_text(status, s_.messages.get(fmt::format("http.{}", status)));
      if (status == 405) t.header("Allow", allow);
      return t;
    }
    if (is_api(r)) {
      Response p = problem(s_, status, problem_type_for(status), r.path);
      if (status == 405) p.header("Allow", allow);
      return p;
    }
    util::TemplateData d;
    d.set("status", std::to_string(status));
    d.set("message", s_.messages.get(fmt::format("http.{}", status)));
    util::TemplateData layout;
    add_contact(s_, d, layout);
    layout.set("title", s_.messages.get(fmt::format("http.{}", status)));
    layout.set("content", s_.templates.render("error.html", d));
    Response resp = Response::text(status, "text/html; charset=utf-8",
                                   s_.templates.render("layout.html", layout));
    if (status == 405) resp.header("Allow", allow);
    return resp;
  } catch (const std::exception& e) {
    spdlog::error("error page {} for {} failed: {}", status, r.path, e.what());
    return Response::text(status, "text/plain; charset=utf-8", "システムエラーが発生しました。\n");
  }
}

}  // namespace onshi::web
