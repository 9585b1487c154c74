// The CRLs (RFC 5280 §5) at the URLs certificates name: /pki/crl/issuing.crl and its delta for
// the current issuing CA, issuing-<serial>.crl and issuing-<serial>-delta.crl for any
// generation, root.crl for the root's ARL. DER as application/pkix-crl (RFC 5280 4.2.1.13), on
// both listeners, cacheable until nextUpdate and no longer.
#include "app/ca/crl_publisher.hpp"
#include "web/http_cache.hpp"
#include "web/site.hpp"

namespace onshi::web {
namespace {

Response crl(Ctx& ctx) {
  const auto published = app::published_crl(ctx.services(), ctx.param("name"));
  if (!published) return Response::text(404, "text/plain; charset=utf-8", "no such CRL yet\n");
  // The number identifies the bytes: a URL serves one CA's sequence, never a number twice.
  const Cacheable cache{std::string("\"").append(std::to_string(published->number)).append("\""),
                        published->this_update, published->next_update};
  Response r;
  if (not_modified(ctx.request(), cache)) {
    r.status = 304;
  } else {
    r = Response::text(200, "application/pkix-crl", published->der);
  }
  add_cache_headers(r, cache, ctx.services().clock.now());
  return r;
}

}  // namespace

void add_crl_routes(Routes& routes) {
  routes.push_back(get("/pki/crl/{name}", crl, Access::anyone));
}

}  // namespace onshi::web
