// Health, metrics and static files.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "app/ca/ca_health.hpp"
#include "app/ca/crl_publisher.hpp"
#include "app/core/outbox.hpp"
#include "util/secrets.hpp"
#include "web/site.hpp"

namespace onshi::web {
namespace {

std::string content_type_for(std::string_view name) {
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  if (name.ends_with(".png")) return "image/png";
  if (name.ends_with(".ico")) return "image/x-icon";
  return "application/octet-stream";
}

// Only plain file names: no '/', no "..", nothing a path could escape with.
bool safe_name(std::string_view name) {
  if (name.empty() || name.size() > 100 || name.front() == '.') return false;
  for (const char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '-' || c == '_')) {
      return false;
    }
  }
  return true;
}

Response probe_answer(int status, std::string body) {
  Response r = Response::text(status, "application/json", std::move(body));
  // A cached answer would tell a balancer what was true earlier.
  r.header("Cache-Control", "no-store");
  return r;
}

// For monitoring: the database and the CA (app/ca/ca_health.hpp), 503 naming what failed.
Response healthz(Ctx& ctx) {
  const auto& s = ctx.services();
  const bool database = s.db.ping();
  app::CaHealth ca = app::CaHealth::unknown;
  try {
    ca = app::ca_health(s, database);
  } catch (const store::DatabaseUnavailable&) {
    // Gone between the ping and the read: the next probe says so.
  }
  const bool ok = database && app::ca_healthy(ca);
  return probe_answer(
      ok ? 200 : 503,
      fmt::format(R"({{"status":"{}","database":"{}","ca":"{}"}})", ok ? "ok" : "unavailable",
                  database ? "ok" : "unreachable", app::ca_health_name(ca)));
}

// For the balancer: whether this node can serve requests now, which needs the database only (a
// stale CRL is for people to fix, not a reason to drain every node at once).
Response readyz(Ctx& ctx) {
  if (ctx.services().db.ping()) return probe_answer(200, R"({"status":"ready"})");
  return probe_answer(503, R"({"status":"not_ready","database":"unreachable"})");
}

// /metrics names routes and counts requests: only for the configured client addresses (default
// loopback) or with the configured token. A request that shows it came through a proxy is not the
// proxy's own, even when the proxy connects from loopback; a proxy that adds none of these headers
// must not forward /metrics (docs/configuration.md).
bool may_read_metrics(const Ctx& ctx) {
  const auto& config = ctx.services().config;
  const auto& r = ctx.request();
  if (!config.metrics_token.empty()) {
    const auto token = bearer_token(r.header("authorization"));
    if (token && util::constant_time_equal(*token, config.metrics_token)) return true;
  }
  for (const auto* proxied : {"x-forwarded-for", "forwarded", "x-real-ip", "via"}) {
    if (!r.header(proxied).empty()) return false;
  }
  std::string_view remote = r.remote;
  if (remote.starts_with("::ffff:")) remote.remove_prefix(7);  // IPv4 on an IPv6 socket
  return std::ranges::find(config.metrics_allow, remote) != config.metrics_allow.end();
}

Response static_file(Ctx& ctx) {
  const std::string& name = ctx.param("file");
  if (!safe_name(name))
    return Response::text(404, "text/plain; charset=utf-8",
                          ctx.message("pki_files.static_missing") + "\n");
  std::ifstream in(
      std::filesystem::path(ctx.services().config.resources) / "static" / std::string(name),
      std::ios::binary);
  if (!in)
    return Response::text(404, "text/plain; charset=utf-8",
                          ctx.message("pki_files.static_missing") + "\n");
  std::ostringstream body;
  body << in.rdbuf();
  Response r = Response::text(200, content_type_for(name), body.str());
  r.header("Cache-Control", "public, max-age=3600");
  return r;
}

}  // namespace

void add_ops_routes(Routes& routes, Metrics& metrics) {
  routes.push_back(get("/healthz", healthz, Access::anyone));
  routes.push_back(get("/readyz", readyz, Access::anyone));
  // Its own allow list and token (may_read_metrics), not a portal or back-office login.
  routes.push_back(get(
      "/metrics",
      [&metrics](Ctx& ctx) {
        if (!may_read_metrics(ctx)) {
          return Response::text(403, "text/plain; charset=utf-8",
                                "metrics are served to the addresses in "
                                "server.metrics_allow or with server.metrics_token\n");
        }
        return Response::text(
            200, "text/plain; version=0.0.4; charset=utf-8",
            metrics.render(app::pending_mail_count(ctx.services()), app::crls_published_total()));
      },
      Access::anyone));
  routes.push_back(get("/static/{file...}", static_file, Access::anyone));  // "" is refused
}

}  // namespace onshi::web
