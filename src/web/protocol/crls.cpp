// The CRLs (RFC 5280 §5) at the URLs certificates name: /pki/crl/issuing.crl and its delta for
// the current issuing CA, issuing-<serial>.crl and issuing-<serial>-delta.crl for any
// generation, root.crl for the root's ARL. DER as application/pkix-crl (RFC 5280 4.2.1.13), on
// both listeners, cacheable until nextUpdate and no longer.
#include "app/ca/crl_publisher.hpp"
#include "web/http_cache.hpp"
#include "web/site.hpp"

namespace onshi::web {
namespace {

// The number identifies the bytes: a URL serves one CA's sequence, never a number twice.
Cacheable cacheable(const app::PublishedCrl& c) {
  return {std::string("\"").append(std::to_string(c.number)).append("\""), c.this_update,
          c.next_update};
}

Response crl(Ctx& ctx) {
  const auto& name = ctx.param("name");
  const bool conditional = !ctx.request().header("if-none-match").empty() ||
                           !ctx.request().header("if-modified-since").empty();
  // A client that has the CRL is answered without reading its bytes (some 50 MB for a million
  // entries).
  auto published = app::published_crl(ctx.services(), name, !conditional);
  if (!published)
    return Response::text(404, "text/plain; charset=utf-8",
                          ctx.message("pki_files.crl_missing") + "\n");
  Response r;
  if (conditional && not_modified(ctx.request(), cacheable(*published))) {
    r.status = 304;
  } else {
    if (conditional) published = app::published_crl(ctx.services(), name);
    if (!published)
      return Response::text(404, "text/plain; charset=utf-8",
                            ctx.message("pki_files.crl_missing") + "\n");
    // Moved, not copied.
    r = Response::text(200, "application/pkix-crl", std::move(published->der));
  }
  add_cache_headers(r, cacheable(*published), ctx.services().clock.now());
  return r;
}

}  // namespace

void add_crl_routes(Routes& routes) {
  routes.push_back(get("/pki/crl/{name}", crl, Access::anyone));
}

}  // namespace onshi::web
