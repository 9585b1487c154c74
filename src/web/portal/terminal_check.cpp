// 接続確認 (/terminal-check): staff open it in the terminal's browser over the TLS listener and
// read whether the certificate the browser offered is this CA's, which one, and whether a
// relying party will accept it. Public: whoever sits at the terminal has no portal account.
#include <spdlog/spdlog.h>

#include "app/ca/terminal_certificate_check.hpp"
#include "app/core/dates_shown.hpp"
#include "app/core/form_values.hpp"
#include "util/text.hpp"
#include "web/display.hpp"
#include "web/errors.hpp"
#include "web/site.hpp"

namespace onshi::web {
namespace {

std::string key(std::string_view suffix) {
  return "terminal_check_page." + std::string(suffix);
}

// 状況 from the database: 有効, 失効（date、reason）, 期限切れ, or 不明 when it holds none.
std::string status_shown(const app::Services& s, const app::TerminalCertificateCheck& c) {
  const auto& m = s.messages;
  if (!c.ours) return m.get(key("status_unknown"));
  if (c.ours->revoked_at) {
    return m.format("own_revocation.status_revoked",
                    {app::date_shown(m, app::date_in_japan(*c.ours->revoked_at)),
                     revocation_reason_shown(m, c.ours->revocation_reason)});
  }
  if (c.ours->status == domain::CertificateState::revoked) {
    return m.get("admin.certificate_state.revoked");
  }
  if (s.now_ms() >= c.ours->not_after || c.ours->status == domain::CertificateState::expired) {
    return m.get("admin.certificate_state.expired");
  }
  return m.get("admin.certificate_state.active");
}

util::TemplateData certificate_data(Ctx& ctx, const app::TerminalCertificateCheck& c) {
  const auto& s = ctx.services();
  const auto& m = s.messages;
  util::TemplateData d;
  // Mustache renders a section for any string, "" too: a missing attribute is left unset.
  const auto set_text = [&d](const std::string& name, const std::string& value) {
    if (!value.empty()) d.set(name, value);
  };
  set_text("institution_code", c.institution_code);
  set_text("institution_name", c.institution_name);
  set_text("terminal", c.terminal);
  set_text("common_name", c.common_name);
  set_text("issuance_number", c.issuance_number);
  d.set("serial", util::group_serial(c.serial_hex));
  set_text("issuer", c.issuer);
  d.set("validity", app::date_shown(m, app::date_in_japan(c.not_before)) + " ～ " +
                        app::date_shown(m, app::date_in_japan(c.not_after)));
  d.set("not_after", app::time_shown(m, c.not_after));
  d.set("from_this_ca", c.from_this_ca);
  if (c.days_left >= 0)
    d.set("days_left", m.format(key("days_left"), {std::to_string(c.days_left)}));
  d.set("status", status_shown(s, c));
  return d;
}

// GET /terminal-check
Response terminal_check(Ctx& ctx) {
  const auto& r = ctx.request();
  const auto& s = ctx.services();
  const auto checked = app::check_terminal_certificate(s, {r.tls, r.peer_certificates});
  const std::string title = ctx.message(key("title"));
  if (!checked) return failure_page(ctx, checked.error(), "terminal_check.html", title);
  const auto& c = *checked;
  const std::string verdict(app::terminal_verdict_key(c.verdict));
  if (r.tls) {
    spdlog::info("terminal check verdict={} serial={} chain={} problem={} openssl=\"{}\" remote={}",
                 verdict, c.serial_hex, r.peer_certificates.size(),
                 pki::chain_problem_name(c.chain_problem), c.openssl_error, r.remote);
  }

  util::TemplateData d;
  d.set("checked", true);
  d.set("verdict_" + verdict, true);
  d.set("usable", c.verdict == app::TerminalVerdict::usable);
  d.set("conclusion", ctx.message(key("verdict." + verdict)));
  if (!c.our_issuer.empty()) d.set("our_issuer", c.our_issuer);
  if (c.has_certificate) d.set("certificate", certificate_data(ctx, c));
  // 問題点: the first thing OpenSSL found wrong with the chain.
  if (!c.problem_key.empty())
    d.set("problem", ctx.message(key("problem." + std::string(c.problem_key))));
  if (c.expiring_soon) {
    d.set("expiring_message",
          s.messages.format(key("expiring_soon"), {std::to_string(c.days_left)}));
  }
  if (c.renewed_since) d.set("renewed_message", ctx.message(key("renewed_since")));
  if (c.verdict == app::TerminalVerdict::revoked && c.ours && c.ours->revoked_at) {
    d.set("revoked_message",
          s.messages.format("own_revocation.revoked_at",
                            {app::time_shown(s.messages, *c.ours->revoked_at),
                             revocation_reason_shown(s.messages, c.ours->revocation_reason)}));
  }
  if (c.verdict == app::TerminalVerdict::not_tls) {
    const auto url = app::terminal_check_https_url(s.config, r.header("host"));
    if (!url.empty()) d.set("https_url", url);
  }
  return ctx.page(200, "terminal_check.html", title, d);
}

}  // namespace

void add_terminal_check_routes(Routes& routes) {
  routes.push_back(get("/terminal-check", terminal_check, Access::anyone));
}

}  // namespace onshi::web
