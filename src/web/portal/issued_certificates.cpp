// マイページ's 電子証明書 once issued: one certificate's page (its 受取, downloads and generations)
// and 受取を完了する, confirmed on a page of its own first since it cannot be undone.
#include <fmt/format.h>

#include "app/applications/my_certificates.hpp"
#include "app/ca/pickup.hpp"
#include "app/core/dates_shown.hpp"
#include "app/core/form_values.hpp"
#include "util/text.hpp"
#include "web/display.hpp"
#include "web/errors.hpp"
#include "web/forms.hpp"
#include "web/portal/certificate_pages.hpp"

namespace onshi::web {

util::TemplateData certificate_row_data(Ctx& ctx, const store::CertificateRow& c) {
  const auto& m = ctx.services().messages;
  const auto now = ctx.services().now_ms();
  util::TemplateData row;
  row.set("terminal", c.terminal);
  row.set("issuance_number", c.issuance_number);
  row.set("serial", util::group_serial(c.serial_hex));
  const std::string state(domain::state_key(app::state_today(c, now)));
  const std::string state_key = "admin.certificate_state." + state;
  row.set("status", m.has(state_key) ? m.get(state_key) : state);
  if (c.revoked_at) {
    row.set("status", m.format("own_revocation.status_revoked",
                               {app::date_shown(m, app::date_in_japan(*c.revoked_at)),
                                revocation_reason_shown(m, c.revocation_reason)}));
    row.set("revoked", true);
  }
  row.set("validity", fmt::format("{} ～ {}", app::date_shown(m, app::date_in_japan(c.not_before)),
                                  app::date_shown(m, app::date_in_japan(c.not_after))));
  const auto stage = app::pickup_stage(ctx.services(), c, now);
  row.set("pickup", app::pickup_label(ctx.services(), c, now));
  row.set("locked", stage == app::PickupStage::locked && !c.revoked_at);
  row.set("downloads", std::to_string(c.downloads));
  row.set("detail_path", "/certificates/" + url_encode(c.issuance_number));
  return row;
}

namespace {

constexpr std::string_view kTitle = "電子証明書";
constexpr std::string_view kPrefix = "/certificates/";

Response not_found(Ctx& ctx) {
  util::TemplateData d;
  d.set("message", ctx.message("certificate.not_found"));
  return ctx.page(404, "issued_certificate_refused.html", std::string(kTitle), d);
}

Response refused(Ctx& ctx, const app::Failure& f) {
  if (f.is(app::FailureCode::not_found)) return not_found(ctx);
  return failure_page(ctx, f, "issued_certificate_refused.html", std::string(kTitle));
}

util::TemplateData download_rows(Ctx& ctx, const app::MyCertificate& c) {
  const auto& m = ctx.services().messages;
  util::TemplateData rows{util::TemplateData::type::list};
  // Newest first, as people look for the last one.
  for (auto it = c.downloads.rbegin(); it != c.downloads.rend(); ++it) {
    util::TemplateData r;
    r.set("at", app::time_shown(m, it->downloaded_at));
    r.set("address", it->client_address);
    const std::string what = "pickup.what." + it->what;
    r.set("what", m.has(what) ? m.get(what) : it->what);
    rows.push_back(r);
  }
  return rows;
}

util::TemplateData generation_rows(Ctx& ctx, const app::MyCertificate& c) {
  const auto& m = ctx.services().messages;
  util::TemplateData rows{util::TemplateData::type::list};
  for (const auto& g : c.generations) {
    util::TemplateData r;
    r.set("generation", std::to_string(g.generation));
    r.set("serial", util::group_serial(g.serial_hex));
    r.set("from_csr", g.key_source == store::KeySource::csr);
    r.set("issued_at", app::time_shown(m, g.issued_at));
    r.set("current", g.id == c.current.id);
    if (g.replaced_at) {
      r.set("replaced_at", app::time_shown(m, *g.replaced_at));
      r.set(g.renewed ? "renewed" : "superseded", true);
    }
    rows.push_back(r);
  }
  return rows;
}

void set_certificate(Ctx& ctx, util::TemplateData& d, const app::MyCertificate& c) {
  const auto& m = ctx.services().messages;
  const auto now = ctx.services().now_ms();
  d.set("certificate", certificate_row_data(ctx, c.row));
  d.set("number", c.current.issuance_number);
  d.set("from_csr", c.current.key_source == store::KeySource::csr);
  d.set("pickup_expires_at", app::time_shown(m, c.current.pickup_expires_at));
  if (c.current.picked_up_at) d.set("picked_up_at", app::time_shown(m, *c.current.picked_up_at));
  const auto stage = app::pickup_stage(ctx.services(), c.row, now);
  d.set(fmt::format("stage_{}", app::pickup_stage_key(stage)), true);
  if (stage == app::PickupStage::picked_up) {
    d.set("usable_until", app::time_shown(m, c.usable_until));
  }
  if (stage == app::PickupStage::closed) {
    const auto at = c.current.pickup_closed_at.value_or(c.usable_until);
    d.set("closed_at", app::time_shown(m, at));
    const auto how = c.current.pickup_closed_how.value_or(store::PickupClosed::lapsed);
    d.set("closed_how",
          m.format("mypage.pickup_closed." + std::string(store::pickup_closed_name(how)),
                   {std::to_string(ctx.services().config.pickup_redownload_days)}));
  }
  if (stage == app::PickupStage::locked) d.set("locked_message", m.get("pickup.locked"));
  if (stage == app::PickupStage::window_over) {
    d.set("window_over_message", m.get("pickup.window_over"));
  }
  d.set("pickup_path", "/pickup?n=" + url_encode(c.current.issuance_number));
  if (c.current.revoked_at) {
    d.set("revoked_message", m.format("own_revocation.revoked_at",
                                      {app::time_shown(m, *c.current.revoked_at),
                                       revocation_reason_shown(m, c.current.revocation_reason)}));
    if (c.current.invalidity_date) {
      d.set("compromised_since_message",
            m.format("own_revocation.compromised_since",
                     {app::date_shown(m, app::date_in_japan(*c.current.invalidity_date))}));
    }
    if (c.current.pickup_closed_how == store::PickupClosed::expired && !c.current.picked_up_at)
      d.set("unpicked_message", m.get("own_revocation.unpicked"));
  } else if (app::state_today(c.row, now) != domain::CertificateState::expired) {
    d.set("revoke_path", "/certificates/revoke?n=" + url_encode(c.current.issuance_number));
  }
  d.set("redownload_days", std::to_string(ctx.services().config.pickup_redownload_days));
  d.set("downloads", download_rows(ctx, c));
  d.set("no_downloads", c.downloads.empty());
  // One generation has no history to tell.
  if (c.generations.size() > 1) {
    d.set("has_generations", true);
    d.set("generations", generation_rows(ctx, c));
  }
}

// The institution's certificate named by the path's {number}; another's looks like none.
std::optional<app::MyCertificate> own_certificate(Ctx& ctx) {
  return app::my_certificate(ctx.services(), ctx.user()->institution.id, ctx.param("number"));
}

// GET /certificates/{number}
Response detail(Ctx& ctx) {
  const auto c = own_certificate(ctx);
  if (!c) return not_found(ctx);
  util::TemplateData d;
  set_certificate(ctx, d, *c);
  const auto query = Form::parse(ctx.request().query);
  d.set("completed_now", query && query->get("done") == "completed" &&
                             c->current.pickup_closed_how == store::PickupClosed::completed);
  return ctx.page(200, "issued_certificate.html",
                  fmt::format("{} {}", kTitle, c->current.issuance_number), d);
}

// GET /certificates/{number}/complete: 受取を完了する cannot be undone, so it is confirmed first.
Response confirm_complete(Ctx& ctx) {
  const auto c = own_certificate(ctx);
  if (!c) return not_found(ctx);
  const auto stage = app::pickup_stage(ctx.services(), c->row, ctx.services().now_ms());
  if (stage != app::PickupStage::picked_up) {
    const bool closed = stage == app::PickupStage::closed;
    return refused(ctx, app::Failure::of(app::FailureCode::conflict,
                                         closed ? "pickup.closed" : "pickup.not_picked_up"));
  }
  util::TemplateData d;
  set_certificate(ctx, d, *c);
  return ctx.page(200, "issued_certificate_complete.html", "受取の完了", d);
}

// POST /certificates/{number}/complete
Response complete(Ctx& ctx) {
  const auto& number = ctx.param("number");
  if (auto r = app::complete_pickup(ctx.services(), *ctx.user(), number); !r) {
    return refused(ctx, r.error());
  }
  return Response::redirect(std::string(kPrefix) + url_encode(number) + "?done=completed");
}

}  // namespace

void add_issued_certificate_routes(Routes& routes) {
  routes.push_back(get("/certificates/{number}", detail, Access::clinic));
  routes.push_back(get("/certificates/{number}/complete", confirm_complete, Access::clinic));
  routes.push_back(post("/certificates/{number}/complete", complete, Access::clinic, Body::form));
}

}  // namespace onshi::web
