// 電子証明書の失効 from マイページ (CPIPCS 4.9.3): choose the certificates and the reason, confirm
// on a page that names each terminal, then 失効する; app::revoke_own_certificates does it, all of
// the set or none. One URL takes the three posts (action confirm, edit, revoke), so that a refusal
// shows the form again with what was chosen and typed kept and the message beside its field.
#include <fmt/format.h>

#include <algorithm>

#include "app/applications/my_certificates.hpp"
#include "app/ca/own_revocation.hpp"
#include "app/ca/pickup.hpp"
#include "app/core/dates_shown.hpp"
#include "app/core/form_values.hpp"
#include "domain/calendar_date.hpp"
#include "util/text.hpp"
#include "web/errors.hpp"
#include "web/forms.hpp"
#include "web/portal/certificate_pages.hpp"

namespace onshi::web {
namespace {

constexpr std::string_view kPath = "/certificates/revoke";
constexpr std::string_view kTitle = "電子証明書の失効";

// What the form carries between its pages.
struct Chosen {
  std::vector<std::string> numbers;  // as stored where they read as 発行番号
  std::string reason;
  std::string compromised_since;
  std::string idempotency_key;

  app::OwnRevocationRequest request() const {
    app::OwnRevocationRequest r{numbers, reason, std::nullopt, idempotency_key};
    if (!util::trim(compromised_since).empty()) r.compromised_since = compromised_since;
    return r;
  }
};

Chosen chosen_from(const Form& f) {
  Chosen c;
  for (const auto& typed : f.all("certificate")) {
    const auto n = app::normalize_issuance_number(typed);
    c.numbers.push_back(n.empty() ? typed : n);
  }
  c.reason = f.get("reason");
  c.compromised_since = f.get("compromised_since");
  c.idempotency_key = app::idempotency_key_of(f.get("idempotency_key"));
  return c;
}

bool revocable(const store::CertificateRow& c, store::Millis now) {
  const auto state = app::state_today(c, now);
  return state == domain::CertificateState::issued || state == domain::CertificateState::active;
}

util::TemplateData reason_choices(Ctx& ctx, const std::string& chosen) {
  util::TemplateData list{util::TemplateData::type::list};
  for (const auto r : app::institution_revocation_reasons()) {
    const std::string key(domain::reason_key(r));
    util::TemplateData o;
    o.set("value", key);
    o.set("label", ctx.message("revocation.reason." + key));
    o.set("help", ctx.message("own_revocation_help." + key));
    o.set("checked", key == chosen);
    o.set("key_compromise", r == domain::RevocationReason::key_compromise);
    list.push_back(o);
  }
  return list;
}

// The form: the institution's certificates that can still be revoked, the reason, the date.
Response form_page(Ctx& ctx, const Chosen& chosen, const app::Failure* refusal) {
  const auto& s = ctx.services();
  const auto now = s.now_ms();
  const auto mine = app::my_certificate_rows(s, ctx.user()->institution.id);
  util::TemplateData d;
  util::TemplateData rows{util::TemplateData::type::list};
  for (const auto& c : mine) {
    if (!revocable(c, now)) continue;
    auto row = certificate_row_data(ctx, c);
    row.set("checked",
            std::ranges::find(chosen.numbers, c.issuance_number) != chosen.numbers.end());
    rows.push_back(row);
  }
  d.set("certificates", rows);
  d.set("none_revocable", rows.is_empty_list());
  d.set("reasons", reason_choices(ctx, chosen.reason));
  d.set("compromised_since", chosen.compromised_since);
  d.set("idempotency_key", chosen.idempotency_key);
  d.set("today", domain::format_date(app::today_in_japan(s)));
  int status = 200;
  if (refusal) {
    status = http_status(refusal->code);
    ctx.add_errors(d, refusal->fields);
    // Each certificate at fault has its own line beside the list, not only the first.
    util::TemplateData messages{util::TemplateData::type::list};
    for (const auto& e : refusal->fields) {
      if (e.field == "certificates") messages.push_back(s.messages.format(e.key, e.args));
    }
    d.set("certificates_errors", messages);
    d.set("certificates_invalid", !messages.is_empty_list());
    if (refusal->fields.empty()) d.set("page_error", ctx.message(refusal->key));
  }
  return ctx.page(status, "certificate_revoke.html", std::string(kTitle), d);
}

util::TemplateData named_terminals(Ctx& ctx, const std::vector<store::CertificateRecord>& certs) {
  util::TemplateData list{util::TemplateData::type::list};
  for (const auto& c : certs) {
    util::TemplateData r;
    r.set("common_name", app::common_name_of(c.subject));
    r.set("terminal", c.terminal);
    r.set("issuance_number", c.issuance_number);
    r.set("serial", util::group_serial(c.serial_hex));
    r.set("status",
          ctx.message("admin.certificate_state." + std::string(domain::state_key(c.status))));
    list.push_back(r);
  }
  return list;
}

Response confirmation(Ctx& ctx, const Chosen& chosen,
                      const std::vector<store::CertificateRecord>& certs) {
  util::TemplateData d;
  d.set("certificates", named_terminals(ctx, certs));
  d.set("count", std::to_string(certs.size()));
  d.set("reason", chosen.reason);
  d.set("reason_label", ctx.message("revocation.reason." + std::string(util::trim(chosen.reason))));
  if (!util::trim(chosen.compromised_since).empty()) {
    d.set("compromised_since", chosen.compromised_since);
    d.set("compromised_since_shown",
          app::date_shown(ctx.services().messages, util::trim(chosen.compromised_since)));
  }
  util::TemplateData numbers{util::TemplateData::type::list};
  for (const auto& c : certs) numbers.push_back(c.issuance_number);
  d.set("numbers", numbers);
  d.set("idempotency_key", chosen.idempotency_key);
  return ctx.page(200, "certificate_revoke_confirm.html", "電子証明書の失効の確認", d);
}

// GET /certificates/revoke[?n=発行番号]: from a certificate's page, that one is chosen already.
Response show_form(Ctx& ctx) {
  Chosen chosen;
  const auto query = Form::parse(ctx.request().query);
  if (query) {
    for (const auto& n : query->all("n"))
      chosen.numbers.push_back(app::normalize_issuance_number(n));
  }
  chosen.idempotency_key = app::idempotency_key_of("");
  return form_page(ctx, chosen, nullptr);
}

// POST /certificates/revoke
Response act(Ctx& ctx) {
  const auto chosen = chosen_from(ctx.form());
  const auto& action = ctx.form().get("action");
  if (action == "edit") return form_page(ctx, chosen, nullptr);
  if (action == "confirm") {
    auto checked = app::check_own_revocation(ctx.services(), *ctx.user(), chosen.request());
    if (!checked) return form_page(ctx, chosen, &checked.error());
    return confirmation(ctx, chosen, *checked);
  }
  if (action != "revoke") return form_page(ctx, chosen, nullptr);
  auto done = app::revoke_own_certificates(ctx.services(), *ctx.user(), chosen.request());
  if (!done && done.error().key == "own_revocation.key_reused") {
    // A page from before a revocation (the browser's back button) sent another choice: it gets a
    // key of its own, and the clinic is told in its words rather than the API's.
    auto fresh = chosen;
    fresh.idempotency_key = app::idempotency_key_of("");
    const auto used = app::Failure::of(app::FailureCode::conflict, "own_revocation.form_used");
    return form_page(ctx, fresh, &used);
  }
  if (!done) return form_page(ctx, chosen, &done.error());
  std::string query;
  for (const auto& c : done->certificates) {
    query.append(query.empty() ? "?" : "&").append("n=").append(url_encode(c.issuance_number));
  }
  return Response::redirect(std::string(kPath).append("/done").append(query));
}

// GET /certificates/revoke/done?n=…: what was revoked, as the certificates stand now.
Response done_page(Ctx& ctx) {
  const auto& s = ctx.services();
  const auto query = Form::parse(ctx.request().query);
  util::TemplateData list{util::TemplateData::type::list};
  std::string when;
  std::string reason;
  for (const auto& n : query ? query->all("n") : std::vector<std::string>{}) {
    const auto c = app::my_certificate(s, ctx.user()->institution.id, n);
    if (!c || !c->current.revoked_at) continue;
    auto row = certificate_row_data(ctx, c->row);
    row.set("common_name", app::common_name_of(c->current.subject));
    list.push_back(row);
  }
  util::TemplateData d;
  d.set("certificates", list);
  d.set("nothing", list.is_empty_list());
  d.set("email", ctx.user()->account.email);
  return ctx.page(200, "certificate_revoke_done.html", "電子証明書を失効しました", d);
}

}  // namespace

void add_revocation_routes(Routes& routes) {
  routes.push_back(get(std::string(kPath), show_form, Access::clinic));
  routes.push_back(post(std::string(kPath), act, Access::clinic, Body::form));
  routes.push_back(get(std::string(kPath) + "/done", done_page, Access::clinic));
}

}  // namespace onshi::web
