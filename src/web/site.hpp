#pragma once
// The portal as a function from Request to Response: routing, CSRF, security headers, error
// pages and metrics around the page handlers. Never throws.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/core/services.hpp"
#include "app/office/operators.hpp"
#include "web/context.hpp"
#include "web/metrics.hpp"

namespace onshi::web {

// Who may call a route. The dispatcher refuses everyone else before the handler runs, so a
// handler never repeats the check.
enum class Access {
  anyone,      // public pages, reference data, static files, health
  clinic,      // a portal session; else 303 to /login
  clinic_api,  // a bearer token or a portal session; else a 401 problem
  staff,       // a back-office session (and Route::permission); else 303 to /admin/login or 403
  tls_client,  // a TLS client certificate chain on the request (EST re-enrolment); else 401
  // HTTP Basic with a notice letter's 発行番号 and 取得コード (EST enrolment): the use case checks
  // the pair; a missing or malformed header gets 401 with WWW-Authenticate.
  pickup_code,
};

// What a POST carries. The dispatcher checks its media type (415) and, for forms, parses it and
// checks the CSRF token (403) before the handler runs.
enum class Body {
  none,          // GET and HEAD
  form,          // application/x-www-form-urlencoded, CSRF bound to the session
  visitor_form,  // the same for visitors (login, registration, reset): Ctx::csrf_ok
  json,          // application/json, parsed by the handler (json_body.hpp); no cookies, no CSRF
  binary,        // exactly Route::content_type (application/pkcs10, application/ocsp-request)
};

struct Route {
  std::string method;
  // "/admin/applications/{number}": a {name} segment matches one non-empty segment, read with
  // Ctx::param; a last segment {name...} matches the rest of the path, slashes included, possibly
  // empty. The first route whose path and method match answers, so such a catch-all comes last.
  std::string path;
  Handler handler;
  Access access = Access::anyone;
  Body body = Body::none;
  std::optional<app::Permission> permission;  // staff: what the role must allow
  std::string content_type;                   // binary: the one media type accepted
  // Only on the TLS listener (EST): on the plain one a 403 that says to use https.
  bool tls_only = false;
  // The handler hashes or verifies a password (Argon2id, tens of milliseconds of a core): the
  // server runs it on its bounded password pool, off the threads that answer every other page.
  bool password_work = false;

  Route&& needs(app::Permission p) && {
    permission = p;
    return std::move(*this);
  }
  Route&& over_tls() && {
    tls_only = true;
    return std::move(*this);
  }
  Route&& hashes_password() && {
    password_work = true;
    return std::move(*this);
  }
};
using Routes = std::vector<Route>;

inline Route get(std::string path, Handler h, Access access) {
  return Route{"GET", std::move(path), std::move(h), access, Body::none, std::nullopt,
               {},    false,           false};
}
inline Route post(std::string path, Handler h, Access access, Body body,
                  std::string content_type = {}) {
  return Route{"POST",       std::move(path),         std::move(h), access, body,
               std::nullopt, std::move(content_type), false,        false};
}

// The parameters of `pattern` taken from `path`, or nothing when the path does not match.
std::optional<std::map<std::string, std::string>> match_path(std::string_view pattern,
                                                             std::string_view path);

// Each group of pages adds its routes (portal/, api/, ops/).
void add_portal_routes(Routes& routes);
void add_account_routes(Routes& routes);
void add_password_routes(Routes& routes);
void add_usage_routes(Routes& routes);
void add_api_routes(Routes& routes);
// /api/v1/certificates: the institution's certificates and their 失効 (api/certificates.cpp).
void add_certificate_api_routes(Routes& routes);
void add_certificate_routes(Routes& routes);
// The CPIPCS: the clinic summary and the full text for vendors (portal/cpipcs.cpp).
void add_cpipcs_routes(Routes& routes);
void add_help_routes(Routes& routes);
// 取得用ページ: the notice letter's URL and QR code (portal/pickup*.cpp).
void add_pickup_routes(Routes& routes);
// 接続確認: the client certificate a terminal's browser offers (portal/terminal_check.cpp).
void add_terminal_check_routes(Routes& routes);
void add_ops_routes(Routes& routes, Metrics& metrics);
// EST (RFC 7030) under /.well-known/est/, for vendors' tools (web/protocol/est.cpp).
void add_est_routes(Routes& routes);
// /pki/ca/issuing.crt and /pki/ca/root.crt, the authorityInfoAccess of every certificate.
void add_ca_certificate_routes(Routes& routes);
// /pki/crl/*.crl: the issuing CAs' full and delta CRLs and the root's ARL (web/protocol/crls.cpp).
void add_crl_routes(Routes& routes);
// The OCSP responder at /pki/ocsp, POST and GET (web/protocol/ocsp.cpp).
void add_ocsp_routes(Routes& routes, Metrics& metrics);
// Refusals below /.well-known/est/ are one line of text/plain (RFC 7030 4.2.3), not a page.
bool is_est_path(std::string_view path);
Response est_text(int status, std::string_view message);
// The back office under /admin (web/admin/*.cpp).
void add_admin_routes(Routes& routes);

class Site {
 public:
  // Reads (or creates) the CSRF key in the database.
  Site(const app::Services& s, Metrics& metrics);
  // The same dispatcher over other routes (the dispatcher's own tests).
  Site(const app::Services& s, Metrics& metrics, Routes routes);
  Response handle(const Request& r) noexcept;
  Metrics& metrics() { return metrics_; }
  const Routes& routes() const { return routes_; }

  // Whether the route that answers `r` hashes or verifies a password (Route::password_work): the
  // server then hands it to its password pool. Cheap: a few string comparisons.
  bool is_password_work(const Request& r) const noexcept;
  // What such a request gets when the password pool's queue is full: 503 with Retry-After, the
  // page (password_busy.*) saying that nothing was done; counted in the metrics like any answer.
  Response password_busy(const Request& r) noexcept;

  // An error page (4xx/5xx) with the catalogue's message for `status`, no internal detail.
  // `allow` is the Allow header of a 405: the methods the path does support.
  Response error_page(int status, const Request& r, const std::string& allow = {}) noexcept;

 private:
  Response dispatch(const Request& r, std::string& route_name);
  // 503 with Retry-After, as the path answers errors (a page, EST's line, the API's problem):
  // what a request gets while the database cannot be reached (store::DatabaseUnavailable).
  Response unavailable(const Request& r) noexcept;
  // Nothing when the route's access and body policy let the request through, else the answer.
  std::optional<Response> enforce(const Route& route, Ctx& ctx);
  std::optional<Response> check_access(const Route& route, Ctx& ctx);
  std::optional<Response> check_body(const Route& route, Ctx& ctx);

  const app::Services& s_;
  Metrics& metrics_;
  std::string csrf_key_;
  Routes routes_;
  // The routes with password_work, apart: is_password_work runs for every request.
  std::vector<const Route*> password_routes_;
};

// `no_referrer`: pages whose address or forms concern a pickup (/pickup) send no Referer at all.
void add_security_headers(Response& r, bool https, bool no_referrer = false);
// /pickup and below: never cached, never named in a Referer.
bool is_pickup_path(std::string_view path);

}  // namespace onshi::web
