// 取得用ページ: the notice letter's URL (/pickup?n=発行番号, also its QR code), the pair typed as
// people type it, and the page of the certificate a right pair opens.
#include <fmt/format.h>

#include "app/core/dates_shown.hpp"
#include "util/text.hpp"
#include "web/display.hpp"
#include "web/errors.hpp"
#include "web/forms.hpp"
#include "web/portal/pickup_pages.hpp"

namespace onshi::web {
namespace {

const std::string& title(const Ctx& ctx) {
  return ctx.message("pickup.title");
}

void set_rules(const Ctx& ctx, util::TemplateData& d) {
  const auto& c = ctx.services().config;
  d.set("max_attempts", std::to_string(c.pickup_max_attempts));
  d.set("valid_days", std::to_string(c.pickup_valid_days));
  d.set("redownload_days", std::to_string(c.pickup_redownload_days));
  d.set("grant_minutes", std::to_string(app::kPickupGrantMinutes));
}

// GET /pickup, /pickup?n=C-00000001-01 (the QR code).
Response entry_form(Ctx& ctx) {
  const auto query = Form::parse(ctx.request().query);
  return pickup_entry_page(ctx, 200, query ? query->get("n") : std::string());
}

// POST /pickup: the pair. An empty half is said as such (nothing to count); a wrong pair never
// says which half was wrong, and the code is never sent back.
Response entry_submit(Ctx& ctx) {
  const auto& number = ctx.form().get("issuance_number");
  const auto& code = ctx.form().get("pickup_code");
  app::FieldErrors missing;
  if (util::trim(number).empty()) missing.push_back({"issuance_number", "pickup.number_missing"});
  if (util::trim(code).empty()) missing.push_back({"pickup_code", "pickup.code_missing"});
  if (!missing.empty()) {
    util::TemplateData d;
    ctx.add_errors(d, missing);
    return pickup_entry_page(ctx, 422, number, d);
  }
  auto grant = app::open_pickup(ctx.services(), {number, code, pickup_client_address(ctx)});
  if (!grant) {
    const auto& f = grant.error();
    if (f.key != "pickup.wrong_pair") return pickup_refused(ctx, f, number);
    util::TemplateData d;
    ctx.add_errors(d, {{"pair", f.key}});
    return pickup_entry_page(ctx, http_status(f.code), number, d);
  }
  return pickup_certificate_page(ctx, 200, *grant);
}

}  // namespace

std::string pickup_client_address(const Ctx& ctx) {
  std::string_view remote = ctx.request().remote;
  if (remote.starts_with("::ffff:")) remote.remove_prefix(7);
  return std::string(remote);
}

Response pickup_entry_page(Ctx& ctx, int status, const std::string& number, util::TemplateData d) {
  d.set("issuance_number", number);
  // One aria-invalid and one aria-describedby per field, whichever message applies.
  const bool pair = d.get("pair_error") != nullptr;
  const bool number_bad = d.get("issuance_number_error") != nullptr;
  const bool code_bad = d.get("pickup_code_error") != nullptr;
  d.set("number_invalid", pair || number_bad);
  d.set("code_invalid", pair || code_bad);
  d.set("number_describedby", std::string("issuance_number-help") + (pair ? " pair-error" : "") +
                                  (number_bad ? " issuance_number-error" : ""));
  d.set("code_describedby", std::string("pickup_code-help") + (pair ? " pair-error" : "") +
                                (code_bad ? " pickup_code-error" : ""));
  set_rules(ctx, d);
  return ctx.page(status, "pickup.html", title(ctx), d);
}

Response pickup_certificate_page(Ctx& ctx, int status, const app::PickupGrant& g,
                                 util::TemplateData d) {
  const auto& m = ctx.services().messages;
  const auto& c = g.certificate;
  d.set("grant", g.token);
  d.set("number", c.issuance_number);
  d.set("institution_name", g.institution_name);
  d.set("terminal", c.terminal);
  d.set("serial", util::group_serial(c.serial_hex));
  d.set("not_before", app::time_shown(m, c.not_before));
  d.set("not_after", app::time_shown(m, c.not_after));
  d.set("delivery", ctx.message(g.generated_key() ? "notice_letter.delivery_generated"
                                                  : "notice_letter.delivery_csr"));
  d.set("usable_until", app::time_shown(m, g.usable_until));
  if (c.picked_up_at) d.set("picked_up_at", app::time_shown(m, *c.picked_up_at));
  util::TemplateData downloads{util::TemplateData::type::list};
  for (const auto& dl : g.downloads) {
    util::TemplateData row;
    row.set("when", app::time_shown(m, dl.downloaded_at));
    const auto what = "pickup.what." + dl.what;
    row.set("what", m.has(what) ? m.get(what) : dl.what);
    row.set("address", dl.client_address);
    downloads.push_back(row);
  }
  d.set("downloads", downloads);
  d.set("has_downloads", !g.downloads.empty());
  d.set("pkcs12", g.generated_key() && c.sealed_key.has_value());
  d.set("chain", !g.generated_key());
  d.set("replaceable", g.replaceable());
  set_rules(ctx, d);
  return ctx.page(status, "pickup_certificate.html", title(ctx), d);
}

Response pickup_refused(Ctx& ctx, const app::Failure& f, const std::string& number) {
  util::TemplateData d;
  d.set("message", ctx.message(f.key));
  // Those that need the desk (an unlock, a new letter, a certificate that does not work) show it
  // here as well as in the footer.
  d.set("call_desk", f.key == "pickup.locked" || f.key == "pickup.window_over" ||
                         f.key == "pickup.closed" || f.key == "pickup.revoked");
  d.set("back", number.empty() ? std::string("/pickup") : "/pickup?n=" + url_encode(number));
  return ctx.page(http_status(f.code), "pickup_refused.html", title(ctx), d);
}

std::variant<app::PickupGrant, Response> resumed_grant(Ctx& ctx) {
  auto grant = app::resume_pickup(ctx.services(), ctx.form().get("grant"));
  if (grant) return std::move(*grant);
  const auto& f = grant.error();
  const auto& number = ctx.form().get("number");
  if (f.key == "pickup.grant_expired") {
    util::TemplateData d;
    d.set("notice", ctx.message(f.key));
    return pickup_entry_page(ctx, http_status(f.code), number, d);
  }
  return pickup_refused(ctx, f, number);
}

void add_pickup_routes(Routes& routes) {
  routes.push_back(get("/pickup", entry_form, Access::anyone));
  // Whoever holds the letter, logged in or not: the anonymous CSRF binding is taken.
  routes.push_back(post("/pickup", entry_submit, Access::anyone, Body::visitor_form));
  add_pickup_download_routes(routes);
}

}  // namespace onshi::web
