// OCSP (RFC 6960 appendix A, RFC 5019) at /pki/ocsp on both listeners: POST with an
// application/ocsp-request body, or GET with the request base64 and URL-encoded after the slash.
// Every answer the client can read is an application/ocsp-response, refusals included
// (malformedRequest, unauthorized, tryLater, internalError); docs/api.md describes them.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "app/ca/ocsp_responder.hpp"
#include "pki/ocsp.hpp"
#include "store/database.hpp"
#include "util/base64.hpp"
#include "web/http_cache.hpp"
#include "web/site.hpp"

namespace onshi::web {
namespace {

// RFC 5019 2.1.1 expects requests of a few hundred octets; ten CertIDs with a signature and its
// chain stay far below. Larger bodies are refused unread by the parser.
constexpr std::size_t kMaxRequestBytes = 64 * 1024;
constexpr std::string_view kResponseType = "application/ocsp-response";

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding of a path, where '+' is itself (unlike a form) and '/' is part of base64.
std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int hi = hex_digit(s[i + 1]);
    const int lo = hex_digit(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

Response ocsp_bytes(std::string der) {
  Response r;
  r.header("Content-Type", std::string(kResponseType));
  r.body = std::move(der);
  return r;
}

Response malformed(Ctx& ctx, Metrics& metrics, std::string_view why) {
  metrics.count_ocsp(OcspCount::malformed);
  spdlog::info("ocsp malformed request: {} remote={}", why, ctx.request().remote);
  Response r = ocsp_bytes(pki::ocsp_error_response(pki::OcspResponseStatus::malformed_request));
  r.header("Cache-Control", "no-store");
  return r;
}

OcspCount count_of(app::OcspOutcome o) {
  switch (o) {
    case app::OcspOutcome::good:
      return OcspCount::good;
    case app::OcspOutcome::revoked:
      return OcspCount::revoked;
    case app::OcspOutcome::unknown:
      return OcspCount::unknown;
    case app::OcspOutcome::several:
      return OcspCount::several;
    case app::OcspOutcome::malformed:
      return OcspCount::malformed;
    case app::OcspOutcome::unauthorized:
      return OcspCount::unauthorized;
    case app::OcspOutcome::try_later:
      return OcspCount::try_later;
  }
  return OcspCount::internal_error;
}

Response answer(Ctx& ctx, Metrics& metrics, std::string_view request_der) {
  if (request_der.size() > kMaxRequestBytes) return malformed(ctx, metrics, "over 64 KB");
  app::OcspReply reply;
  try {
    reply = app::answer_ocsp(ctx.services(), request_der);
  } catch (const store::DatabaseUnavailable& e) {
    // RFC 6960 4.2.1: temporarily unable to answer; a relying party asks again or another node.
    spdlog::warn("ocsp: database unavailable: {}", e.what());
    metrics.count_ocsp(OcspCount::try_later);
    Response r = ocsp_bytes(pki::ocsp_error_response(pki::OcspResponseStatus::try_later));
    r.header("Cache-Control", "no-store");
    return r;
  } catch (const std::exception& e) {
    spdlog::error("ocsp: {}", e.what());
    metrics.count_ocsp(OcspCount::internal_error);
    Response r = ocsp_bytes(pki::ocsp_error_response(pki::OcspResponseStatus::internal_error));
    r.header("Cache-Control", "no-store");
    return r;
  }
  metrics.count_ocsp(count_of(reply.outcome));
  if (!reply.cacheable) {
    Response r = ocsp_bytes(std::move(reply.der));
    r.header("Cache-Control", "no-store");
    return r;
  }
  // RFC 5019 6.2: cacheable until nextUpdate, revalidated after; the validator is the response
  // itself, so every node gives the same ETag for the same stored bytes.
  const Cacheable validators{reply.etag, reply.this_update, reply.next_update};
  Response r;
  if (ctx.request().method == "GET" && not_modified(ctx.request(), validators)) {
    r.status = 304;
  } else {
    r = ocsp_bytes(std::move(reply.der));
  }
  // RFC 5019 6.2 asks for more than add_cache_headers' "public, max-age".
  const auto left =
      std::chrono::floor<std::chrono::seconds>(reply.next_update - ctx.services().clock.now());
  r.header("Cache-Control", fmt::format("max-age={}, public, no-transform, must-revalidate",
                                        std::max<long long>(0, left.count())));
  r.header("Expires", http_date(reply.next_update));
  r.header("Last-Modified", http_date(reply.this_update));
  r.header("ETag", reply.etag);
  return r;
}

Response get_request(Ctx& ctx, Metrics& metrics) {
  const std::string& encoded = ctx.param("request");
  // Base64 of 64 KB is 4/3 as long; the URL limit of the server (8 KB) comes first anyway.
  if (encoded.empty() || encoded.size() > kMaxRequestBytes * 4 / 3 + 4)
    return malformed(ctx, metrics, "no request in the URL");
  const auto text = percent_decode(encoded);
  if (!text) return malformed(ctx, metrics, "broken percent-encoding");
  const auto der = util::base64_decode(*text);
  if (!der) return malformed(ctx, metrics, "broken base64");
  return answer(ctx, metrics, *der);
}

}  // namespace

void add_ocsp_routes(Routes& routes, Metrics& metrics) {
  routes.push_back(post(
      "/pki/ocsp", [&metrics](Ctx& ctx) { return answer(ctx, metrics, ctx.request().body); },
      Access::anyone, Body::binary, "application/ocsp-request"));
  // The rest of the path, slashes included: base64 has them.
  routes.push_back(get(
      "/pki/ocsp/{request...}", [&metrics](Ctx& ctx) { return get_request(ctx, metrics); },
      Access::anyone));
}

}  // namespace onshi::web
