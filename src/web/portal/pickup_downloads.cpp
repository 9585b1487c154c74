// What the certificate's page of an open pickup hands over: the PKCS#12 of a generated key, the
// chain of a CSR's certificate, or a new certificate for the terminal's own CSR in place of the
// generated key. Each form carries the grant; an expired one goes back to the first form.
#include <fmt/format.h>

#include "util/text.hpp"
#include "web/display.hpp"
#include "web/errors.hpp"
#include "web/portal/pickup_pages.hpp"

namespace onshi::web {
namespace {

Response file_response(const app::DownloadedFile& f) {
  Response r = Response::text(200, f.content_type, f.bytes);
  // The name is ours (発行番号 and an extension), never typed by anyone.
  r.header("Content-Disposition", fmt::format("attachment; filename=\"{}\"", f.filename));
  r.header("Cache-Control", "no-store");
  return r;
}

// A refusal of the certificate's page itself: a field error or a pickup that cannot be replaced
// any more stays on the page; anything else (closed, revoked meanwhile) is the refusal page.
Response refused_on_page(Ctx& ctx, const app::PickupGrant& grant, const app::Failure& f,
                         util::TemplateData d) {
  if (f.code == app::FailureCode::invalid) {
    ctx.add_errors(d, f.fields);
    return pickup_certificate_page(ctx, http_status(f.code), grant, d);
  }
  if (f.key == "pickup.not_replaceable" || f.key == "pickup.not_generated") {
    // The page as it is now, which no longer offers what was asked.
    auto now = app::resume_pickup(ctx.services(), grant.token);
    if (!now) return pickup_refused(ctx, now.error(), grant.certificate.issuance_number);
    d.set("page_error", ctx.message(f.key));
    return pickup_certificate_page(ctx, http_status(f.code), *now, d);
  }
  return pickup_refused(ctx, f, grant.certificate.issuance_number);
}

// POST /pickup/pkcs12: grant, password, password_again, format (standard | compatible).
Response pkcs12(Ctx& ctx) {
  auto resumed = resumed_grant(ctx);
  if (auto* answer = std::get_if<Response>(&resumed)) return std::move(*answer);
  const auto& grant = std::get<app::PickupGrant>(resumed);
  const auto& f = ctx.form();
  std::optional<app::Pkcs12Choice> format;
  if (f.get("format") == "standard") format = app::Pkcs12Choice::standard;
  if (f.get("format") == "compatible") format = app::Pkcs12Choice::compatible;
  auto file = app::download_pkcs12(
      ctx.services(), grant,
      {f.get("password"), f.get("password_again"), format, pickup_client_address(ctx)});
  if (file) return file_response(*file);
  // The passwords are never sent back; the format chosen is.
  util::TemplateData d;
  if (format)
    d.set(f.get("format") == "standard" ? "standard_checked" : "compatible_checked", true);
  return refused_on_page(ctx, grant, file.error(), d);
}

// POST /pickup/chain: grant, format (pem | der | p7b).
Response chain(Ctx& ctx) {
  auto resumed = resumed_grant(ctx);
  if (auto* answer = std::get_if<Response>(&resumed)) return std::move(*answer);
  const auto& grant = std::get<app::PickupGrant>(resumed);
  const auto& chosen = ctx.form().get("format");
  app::ChainFormat format = app::ChainFormat::p7b;
  if (chosen == "pem") {
    format = app::ChainFormat::pem;
  } else if (chosen == "der") {
    format = app::ChainFormat::der;
  } else if (chosen != "p7b") {
    // Only a hand-made form sends anything else: the page again, its buttons unchanged.
    return pickup_certificate_page(ctx, 422, grant);
  }
  auto file = app::download_chain(ctx.services(), grant, format, pickup_client_address(ctx));
  if (file) return file_response(*file);
  return refused_on_page(ctx, grant, file.error(), {});
}

// POST /pickup/csr: grant, csr (PEM, pasted or read from a file by static/pickup_csr.js).
Response csr(Ctx& ctx) {
  auto resumed = resumed_grant(ctx);
  if (auto* answer = std::get_if<Response>(&resumed)) return std::move(*answer);
  const auto& grant = std::get<app::PickupGrant>(resumed);
  const auto& text = ctx.form().get("csr");
  util::TemplateData d;
  d.set("csr", text);  // a CSR holds no secret: kept for correcting
  d.set("csr_open", true);
  if (util::trim(text).empty()) {
    return refused_on_page(ctx, grant, app::Failure::invalid({{"csr", "pickup.csr_missing"}}), d);
  }
  auto replaced = app::replace_with_csr(ctx.services(), grant, text, pickup_client_address(ctx));
  if (!replaced) return refused_on_page(ctx, grant, replaced.error(), d);
  util::TemplateData done;
  done.set("replaced", true);
  done.set("old_serial", util::group_serial(grant.certificate.serial_hex));
  return pickup_certificate_page(ctx, 200, replaced->grant, done);
}

}  // namespace

void add_pickup_download_routes(Routes& routes) {
  routes.push_back(post("/pickup/pkcs12", pkcs12, Access::anyone, Body::visitor_form));
  routes.push_back(post("/pickup/chain", chain, Access::anyone, Body::visitor_form));
  routes.push_back(post("/pickup/csr", csr, Access::anyone, Body::visitor_form));
}

}  // namespace onshi::web
