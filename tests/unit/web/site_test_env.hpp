#pragma once
// A Site over the test Services, fed web::Request values directly (no socket).
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "../app/app_test_env.hpp"
#include "web/forms.hpp"
#include "web/site.hpp"

namespace onshi::web::test {

using onshi::test::TestEnv;

inline Request get(std::string path, std::string cookie = {}) {
  Request r;
  r.method = "GET";
  const auto q = path.find('?');
  if (q != std::string::npos) {
    r.query = path.substr(q + 1);
    path.resize(q);
  }
  r.path = std::move(path);
  if (!cookie.empty()) r.headers["cookie"] = std::move(cookie);
  r.remote = "127.0.0.1";
  return r;
}

inline Request post(std::string path, std::string body, std::string cookie = {},
                    std::string content_type = "application/x-www-form-urlencoded") {
  Request r = get(std::move(path), std::move(cookie));
  r.method = "POST";
  r.body = std::move(body);
  if (!content_type.empty()) r.headers["content-type"] = std::move(content_type);
  return r;
}

// "a=1&b=2" from pairs, values percent-encoded.
inline std::string form_body(const std::vector<std::pair<std::string_view, std::string_view>>& f) {
  std::string out;
  for (const auto& [k, v] : f) {
    if (!out.empty()) out += '&';
    out += url_encode(k) + "=" + url_encode(v);
  }
  return out;
}
inline std::string form_body(
    std::initializer_list<std::pair<std::string_view, std::string_view>> f) {
  return form_body(std::vector<std::pair<std::string_view, std::string_view>>(f));
}

// Every value of header `name` (exact spelling), in order.
inline std::vector<std::string> headers(const Response& r, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& [k, v] : r.headers) {
    if (k == name) out.push_back(v);
  }
  return out;
}
inline std::string header(const Response& r, std::string_view name) {
  const auto all = headers(r, name);
  return all.empty() ? std::string() : all.front();
}

// The Set-Cookie line for cookie `name`, or "".
inline std::string set_cookie_line(const Response& r, std::string_view name) {
  for (const auto& v : headers(r, "Set-Cookie")) {
    if (v.starts_with(std::string(name) + "=")) return v;
  }
  return {};
}
// The value a Set-Cookie line gives cookie `name`, or "".
inline std::string set_cookie_value(const Response& r, std::string_view name) {
  const auto line = set_cookie_line(r, name);
  if (line.empty()) return {};
  const auto start = name.size() + 1;
  return line.substr(start, line.find(';') - start);
}

// The value of the first hidden csrf_token input in a page, or "".
inline std::string csrf_in(const std::string& html) {
  constexpr std::string_view marker = R"(name="csrf_token" value=")";
  const auto at = html.find(marker);
  if (at == std::string::npos) return {};
  const auto start = at + marker.size();
  return html.substr(start, html.find('"', start) - start);
}

// The value of the first hidden input `name` in a page, or "".
inline std::string hidden_value(const std::string& html, std::string_view name) {
  const std::string marker = "name=\"" + std::string(name) + "\" value=\"";
  const auto at = html.find(marker);
  if (at == std::string::npos) return {};
  const auto start = at + marker.size();
  return html.substr(start, html.find('"', start) - start);
}

// A migrated database, Services and a Site; `configure` may change the Config first.
struct SiteEnv {
  TestEnv env;
  Metrics metrics;
  std::unique_ptr<Site> site;

  explicit SiteEnv(void (*configure)(app::Config&) = nullptr) {
    if (configure) configure(env.config);
    site = std::make_unique<Site>(env.services, metrics);
  }
  Response handle(const Request& r) { return site->handle(r); }
};

}  // namespace onshi::web::test
