#include "web/site.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "app/accounts.hpp"
#include "util/text.hpp"
#include "web/context.hpp"
#include "web/problem.hpp"

namespace onshi::web {
namespace {

bool is_api(const Request& r) {
  return r.path.starts_with("/api/");
}

bool is_form_post(const Request& r) {
  // Media types are case-insensitive (RFC 9110 §8.3.1).
  return util::ascii_lower(r.header("content-type"))
      .starts_with("application/x-www-form-urlencoded");
}

}  // namespace

void add_security_headers(Response& r, bool https) {
  r.header("Content-Security-Policy",
           "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
           "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'");
  r.header("X-Content-Type-Options", "nosniff");
  r.header("Referrer-Policy", "same-origin");
  r.header("X-Frame-Options", "DENY");
  if (https) r.header("Strict-Transport-Security", "max-age=31536000");
}

Site::Site(const app::Services& s, Metrics& metrics) : s_(s), metrics_(metrics) {
  csrf_key_ = app::csrf_key(s_);
  add_portal_routes(routes_);
  add_account_routes(routes_);
  add_password_routes(routes_);
  add_usage_routes(routes_);
  add_api_routes(routes_);
  add_certificate_routes(routes_);
  add_ops_routes(routes_, metrics_);
  add_admin_routes(routes_);
}

Response Site::handle(const Request& r) noexcept {
  const auto started = std::chrono::steady_clock::now();
  std::string route_name = "unmatched";
  Response resp;
  try {
    resp = dispatch(r, route_name);
  } catch (const std::exception& e) {
    spdlog::error("request {} {} failed: {}", r.method, r.path, e.what());
    resp = error_page(500, r);
  }
  add_security_headers(resp, s_.config.base_url.starts_with("https://"));
  // Every back-office answer, redirects and refusals included, names applications and operators.
  if (is_admin_path(r.path) && std::ranges::none_of(resp.headers, [](const auto& h) {
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
  bool path_known = false;
  std::string allow;
  for (const auto& route : routes_) {
    // A route ending in '/' (other than "/" itself) serves everything below it, e.g. /static/.
    const bool prefix = route.path.size() > 1 && route.path.ends_with('/');
    const bool path_matches = prefix ? r.path.starts_with(route.path) : route.path == r.path;
    if (!path_matches) continue;
    path_known = true;
    if (!allow.empty()) allow += ", ";
    allow += route.method == "GET" ? "GET, HEAD" : route.method;
    if (route.method == r.method || (route.method == "GET" && r.method == "HEAD")) {
      match = &route;
      break;
    }
  }
  if (!match) return error_page(path_known ? 405 : 404, r, allow);
  route_name = match->path;

  if (r.body.size() > s_.config.max_body_bytes) return error_page(413, r);
  Ctx ctx(s_, r, csrf_key_);
  // The JSON API checks its own credentials and content type (pages_api.cpp); forms get CSRF.
  if (r.method == "POST" && !is_api(r)) {
    if (!is_form_post(r)) return error_page(415, r);
    auto form = Form::parse(r.body);
    if (!form) return error_page(400, r);
    ctx.set_form(std::move(*form));
    if (!ctx.csrf_ok(ctx.form().get("csrf_token"), match->visitor_form)) {
      return error_page(403, r);
    }
  }
  Response resp = match->handler(ctx);
  for (auto& c : ctx.set_cookies) resp.header("Set-Cookie", std::move(c));
  if (r.method == "HEAD") resp.body.clear();
  return resp;
}

Response Site::error_page(int status, const Request& r, const std::string& allow) noexcept {
  try {
    if (is_api(r)) {
      Response p = problem(s_, status, problem_type_for(status), r.path);
      if (status == 405) p.header("Allow", allow);
      return p;
    }
    util::TemplateData d;
    d.set("status", std::to_string(status));
    d.set("message", s_.messages.get(fmt::format("http.{}", status)));
    util::TemplateData layout;
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
