// EST (RFC 7030, with RFC 8951's clarifications) under /.well-known/est/, on the TLS listener
// only: bodies are base64 DER both ways, whatever Content-Transfer-Encoding says; refusals are one
// line of text/plain (site.cpp's est_text). docs/api.md describes every answer.
#include <fmt/format.h>

#include "app/ca/est.hpp"
#include "util/base64.hpp"
#include "util/secrets.hpp"
#include "web/site.hpp"

namespace onshi::web {
namespace {

constexpr std::string_view kBase = "/.well-known/est/";
constexpr std::string_view kCertsOnly = "application/pkcs7-mime; smime-type=certs-only";
constexpr std::string_view kRealm = "Basic realm=\"onshi EST\", charset=\"UTF-8\"";
// PEM's line length; LF alone, so that `base64 -d` reads the body as well as `openssl base64 -d`.
constexpr std::size_t kLine = 64;

std::string path(std::string_view operation) {
  return std::string(kBase).append(operation);
}

Response base64_answer(std::string_view content_type, std::string_view der) {
  Response r = Response::text(200, std::string(content_type), util::base64_encode(der, kLine));
  r.header("Content-Transfer-Encoding", "base64");
  r.header("Cache-Control", "no-store");
  return r;
}

// Who refused is in the status; what to do, in the line. Basic's refusals carry the challenge,
// a locked number too: the code is right, but only the desk can open it again.
Response refusal(Ctx& ctx, const app::Failure& f, bool basic) {
  const auto& key =
      f.code == app::FailureCode::invalid && !f.fields.empty() ? f.fields.front().key : f.key;
  int status = 400;
  switch (f.code) {
    case app::FailureCode::invalid:
      status = 400;
      break;
    case app::FailureCode::unauthenticated:
      status = 401;
      break;
    case app::FailureCode::forbidden:
      status = f.key == "pickup.locked" ? 401 : 403;
      break;
    case app::FailureCode::not_found:
      status = 404;
      break;
    case app::FailureCode::conflict:
      status = 409;
      break;
    case app::FailureCode::throttled:
      status = 429;
      break;
    case app::FailureCode::unavailable:
      status = 503;
      break;
  }
  Response r = est_text(status, ctx.message(key));
  if (status == 401 && basic) r.header("WWW-Authenticate", std::string(kRealm));
  if (status == 429) {
    r.header("Retry-After", std::to_string(ctx.services().config.login_lock_base_seconds));
  }
  return r;
}

// The request's DER, or the refusal: RFC 7030 4.2.1 wants base64 DER; a PEM block is the usual
// mistake and is named as such.
std::expected<std::string, Response> csr_body(Ctx& ctx, bool may_be_empty) {
  const auto& body = ctx.request().body;
  if (may_be_empty && body.find_first_not_of(" \t\r\n") == std::string::npos) return std::string{};
  if (body.find("-----BEGIN") != std::string::npos) {
    return std::unexpected(est_text(400, ctx.message("est.pem_not_accepted")));
  }
  auto der = util::base64_decode(body);
  if (!der) return std::unexpected(est_text(400, ctx.message("est.not_base64")));
  return std::move(*der);
}

app::PickupAttempt attempt_of(Ctx& ctx) {
  // The dispatcher let only a well-formed header through (Access::pickup_code).
  const auto credentials = basic_credentials(ctx.request().header("authorization"));
  return {credentials ? credentials->user : "", credentials ? credentials->password : "",
          ctx.request().remote};
}

Response cacerts(Ctx& ctx) {
  auto p7 = app::est_cacerts(ctx.services());
  if (!p7) return refusal(ctx, p7.error(), false);
  return base64_answer("application/pkcs7-mime", *p7);
}

Response csrattrs(Ctx& ctx) {
  auto attrs = app::est_csrattrs(ctx.services());
  if (!attrs) return refusal(ctx, attrs.error(), false);
  return base64_answer("application/csrattrs", *attrs);
}

Response simpleenroll(Ctx& ctx) {
  auto csr = csr_body(ctx, false);
  if (!csr) return std::move(csr.error());
  auto enrolled = app::est_simpleenroll(ctx.services(), attempt_of(ctx), *csr);
  if (!enrolled) return refusal(ctx, enrolled.error(), true);
  return base64_answer(kCertsOnly, enrolled->pkcs7_der);
}

// RFC 7030 4.4.2: the key first, then the certificate, each a base64 part.
Response serverkeygen(Ctx& ctx) {
  auto csr = csr_body(ctx, true);
  if (!csr) return std::move(csr.error());
  auto made = app::est_serverkeygen(ctx.services(), attempt_of(ctx), *csr);
  if (!made) return refusal(ctx, made.error(), true);
  const std::string boundary = "est-" + util::random_token(18);
  std::string body;
  const auto part = [&](std::string_view type, std::string_view der) {
    body += fmt::format("--{}\r\nContent-Type: {}\r\nContent-Transfer-Encoding: base64\r\n\r\n",
                        boundary, type);
    body += util::base64_encode(der, kLine, "\r\n");
  };
  part("application/pkcs8", made->pkcs8_der);
  part(kCertsOnly, made->pkcs7_der);
  body += fmt::format("--{}--\r\n", boundary);
  Response r =
      Response::text(200, fmt::format("multipart/mixed; boundary={}", boundary), std::move(body));
  r.header("Cache-Control", "no-store");
  return r;
}

Response simplereenroll(Ctx& ctx) {
  auto csr = csr_body(ctx, false);
  if (!csr) return std::move(csr.error());
  const auto& r = ctx.request();
  auto renewed = app::est_simplereenroll(ctx.services(), {r.peer_certificates, r.peer_verified},
                                         *csr, r.remote);
  if (!renewed) return refusal(ctx, renewed.error(), false);
  return base64_answer(kCertsOnly, renewed->pkcs7_der);
}

}  // namespace

void add_est_routes(Routes& routes) {
  constexpr std::string_view kPkcs10 = "application/pkcs10";
  routes.push_back(get(path("cacerts"), cacerts, Access::anyone).over_tls());
  routes.push_back(get(path("csrattrs"), csrattrs, Access::anyone).over_tls());
  routes.push_back(post(path("simpleenroll"), simpleenroll, Access::pickup_code, Body::binary,
                        std::string(kPkcs10))
                       .over_tls());
  routes.push_back(post(path("serverkeygen"), serverkeygen, Access::pickup_code, Body::binary,
                        std::string(kPkcs10))
                       .over_tls());
  routes.push_back(post(path("simplereenroll"), simplereenroll, Access::tls_client, Body::binary,
                        std::string(kPkcs10))
                       .over_tls());
}

}  // namespace onshi::web
