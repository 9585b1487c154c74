#pragma once
// The portal as a function from Request to Response: routing, CSRF, security headers, error
// pages and metrics around the page handlers. Never throws.
#include <memory>
#include <string>
#include <vector>

#include "app/services.hpp"
#include "web/context.hpp"
#include "web/metrics.hpp"

namespace onshi::web {

struct Route {
  std::string method;
  std::string path;
  Handler handler;
  bool visitor_form = false;  // a POST made before logging in (Ctx::csrf_ok)
};
using Routes = std::vector<Route>;

// Each group of pages adds its routes (pages_*.cpp).
void add_portal_routes(Routes& routes);
void add_account_routes(Routes& routes);
void add_password_routes(Routes& routes);
void add_usage_routes(Routes& routes);
void add_api_routes(Routes& routes);
void add_certificate_routes(Routes& routes);
void add_ops_routes(Routes& routes, Metrics& metrics);
// The back office under /admin (pages_admin_*.cpp).
void add_admin_routes(Routes& routes);

class Site {
 public:
  // Reads (or creates) the CSRF key in the database.
  Site(const app::Services& s, Metrics& metrics);
  Response handle(const Request& r) noexcept;
  Metrics& metrics() { return metrics_; }

  // An error page (4xx/5xx) with the catalogue's message for `status`, no internal detail.
  // `allow` is the Allow header of a 405: the methods the path does support.
  Response error_page(int status, const Request& r, const std::string& allow = {}) noexcept;

 private:
  Response dispatch(const Request& r, std::string& route_name);

  const app::Services& s_;
  Metrics& metrics_;
  std::string csrf_key_;
  Routes routes_;
};

void add_security_headers(Response& r, bool https);

}  // namespace onshi::web
