// Health, metrics and static files.
#include <fstream>
#include <sstream>

#include "app/outbox.hpp"
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

Response healthz(Ctx& ctx) {
  const bool ok = ctx.services().db.ping();
  return Response::text(ok ? 200 : 503, "application/json",
                        ok ? R"({"status":"ok"})" : R"({"status":"unavailable"})");
}

Response static_file(Ctx& ctx) {
  const std::string_view name =
      std::string_view(ctx.request().path).substr(std::string_view("/static/").size());
  if (!safe_name(name)) return Response::text(404, "text/plain; charset=utf-8", "not found\n");
  std::ifstream in(
      std::filesystem::path(ctx.services().config.resources) / "static" / std::string(name),
      std::ios::binary);
  if (!in) return Response::text(404, "text/plain; charset=utf-8", "not found\n");
  std::ostringstream body;
  body << in.rdbuf();
  Response r = Response::text(200, content_type_for(name), body.str());
  r.header("Cache-Control", "public, max-age=3600");
  return r;
}

}  // namespace

void add_ops_routes(Routes& routes, Metrics& metrics) {
  routes.push_back({"GET", "/healthz", healthz});
  routes.push_back({"GET", "/metrics", [&metrics](Ctx& ctx) {
                      return Response::text(
                          200, "text/plain; version=0.0.4; charset=utf-8",
                          metrics.render(app::pending_mail_count(ctx.services())));
                    }});
  routes.push_back({"GET", "/static/", static_file});
}

}  // namespace onshi::web
