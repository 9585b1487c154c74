// The CA certificates that every terminal certificate's authorityInfoAccess (caIssuers) names,
// DER as RFC 5280 4.2.2.1 says for HTTP, on both listeners: a relying party completes the chain
// from here. They change only when the CA is reissued, so caches may keep them a day.
#include "app/ca/certificate_authority.hpp"
#include "web/site.hpp"

namespace onshi::web {
namespace {

Response certificate(Ctx& ctx, app::CaCertificate which) {
  const auto der = app::ca_certificate_der(ctx.services().ca, which);
  // No CA here yet (before `onshi ca init`): nothing to point at.
  if (!der)
    return Response::text(404, "text/plain; charset=utf-8",
                          ctx.message("pki_files.ca_missing") + "\n");
  Response r = Response::text(200, "application/pkix-cert", *der);
  r.header("Cache-Control", "public, max-age=86400");
  return r;
}

}  // namespace

void add_ca_certificate_routes(Routes& routes) {
  routes.push_back(get(
      "/pki/ca/issuing.crt", [](Ctx& ctx) { return certificate(ctx, app::CaCertificate::issuing); },
      Access::anyone));
  routes.push_back(get(
      "/pki/ca/root.crt", [](Ctx& ctx) { return certificate(ctx, app::CaCertificate::root); },
      Access::anyone));
}

}  // namespace onshi::web
