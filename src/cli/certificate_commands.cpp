// `onshi admin certificates unlock|show|revoke|list`: certificates from the shell, with the use
// cases the back office's pages use (so the same role check and audit record).
#include <fmt/format.h>

#include <iostream>

#include "app/applications/my_certificates.hpp"
#include "app/ca/pickup.hpp"
#include "app/ca/revocation.hpp"
#include "app/office/pickup_desk.hpp"
#include "cli/admin_support.hpp"
#include "cli/commands.hpp"
#include "cli/runtime.hpp"
#include "domain/certificate_state.hpp"
#include "util/clock.hpp"

namespace onshi::cli {
namespace {

struct CertificateFlags {
  std::string operator_login;
  std::string number;
  std::string reason;
  std::string compromised_since;
  std::string institution;
  std::string status;
  int limit = 100;
};

std::string jst(store::Millis at) {
  return util::format_jst(util::TimePoint{std::chrono::milliseconds{at}});
}

std::string jst(const std::optional<store::Millis>& at) {
  return at ? jst(*at) : std::string("-");
}

void unlock(const GlobalOptions& g, const CertificateFlags& f) {
  Runtime rt(g, Runtime::ExistingDatabase{});
  const auto who = operator_actor(rt, f.operator_login);
  if (auto r = app::unlock_pickup(rt.services(), who, f.number); !r) fail(rt, r.error());
  std::cout << app::normalize_issuance_number(f.number) << ": "
            << rt.services().messages.get("pickup_desk.unlocked") << '\n';
}

std::string revocation_shown(const store::CertificateRecord& c) {
  if (!c.revoked_at) return "-";
  std::string_view name = "?";
  if (c.revocation_reason) {
    if (const auto r = domain::revocation_reason_from_code(*c.revocation_reason))
      name = domain::reason_key(*r);
  }
  return fmt::format("{} ({})", jst(c.revoked_at), name);
}

// One `name: value` a line: every field of the record the desk may need (never the sealed key or
// code themselves, only whether they are held), its status today, its revocation and where its
// pickup stands as app::PickupStage names it.
void show(const GlobalOptions& g, const CertificateFlags& f) {
  Runtime rt(g, Runtime::ExistingDatabase{});
  const auto& s = rt.services();
  const auto p = app::pickup_record(s, f.number);
  if (!p) fail(rt, app::Failure::of(app::FailureCode::not_found, "certificate.not_found"));
  const auto& c = p->certificate;
  const auto row = app::certificate_row(c, static_cast<int>(p->downloads.size()));
  const auto now = s.now_ms();
  const auto line = [](std::string_view name, std::string_view value) {
    std::cout << fmt::format("{:<15} {}\n", std::string(name) + ":", value);
  };
  line("number", c.issuance_number);
  line("generation", std::to_string(c.generation));
  line("current", c.replaced_at ? fmt::format("no, {} {}", c.renewed ? "renewed" : "superseded",
                                              jst(c.replaced_at))
                                : std::string("yes"));
  line("application", p->application_number);
  line("institution", fmt::format("{} {}", p->institution_code, p->institution_name));
  line("terminal", c.terminal);
  line("subject", c.subject);
  line("serial", c.serial_hex);
  line("status", domain::state_key(app::state_today(row, now)));
  line("revoked", revocation_shown(c));
  line("compromised", c.invalidity_date ? jst(*c.invalidity_date) : std::string("-"));
  line("key", store::key_source_name(c.key_source));
  line("spki sha256", c.spki_sha256);
  line("valid", fmt::format("{} to {}", jst(c.not_before), jst(c.not_after)));
  line("issued", fmt::format("{}{}", jst(c.issued_at),
                             c.issued_by ? fmt::format(" by operator:{}", *c.issued_by) : ""));
  line("pickup", app::pickup_stage_key(app::pickup_stage(s, row, now)));
  line("pickup expires", jst(c.pickup_expires_at));
  line("wrong codes", fmt::format("{} of {}", c.pickup_failures, s.config.pickup_max_attempts));
  line("locked at", jst(c.pickup_locked_at));
  line("picked up at", jst(c.picked_up_at));
  if (c.picked_up_at && !c.pickup_closed_at) line("usable until", jst(p->usable_until));
  line("closed",
       c.pickup_closed_at
           ? fmt::format("{} ({})", jst(c.pickup_closed_at),
                         c.pickup_closed_how ? store::pickup_closed_name(*c.pickup_closed_how) : "")
           : std::string("-"));
  line("key held", c.sealed_key ? "yes" : "no");
  line("code held", c.sealed_pickup_code ? "yes (until its letter is printed)" : "no");
  line("downloads", std::to_string(p->downloads.size()));
  for (const auto& d : p->downloads) {
    std::cout << fmt::format("  {}  {:<39}  {}\n", jst(d.downloaded_at), d.client_address, d.what);
  }
}

void revoke(const GlobalOptions& g, const CertificateFlags& f) {
  Runtime rt(g, Runtime::ExistingDatabase{});
  const auto who = operator_actor(rt, f.operator_login);
  app::RevocationRequest request{f.number, f.reason, std::nullopt};
  if (!f.compromised_since.empty()) request.compromised_since = f.compromised_since;
  auto r = app::revoke_certificate(rt.services(), who, request);
  if (!r) {
    // A field's own message says what is wrong with the flag.
    if (!r.error().fields.empty()) {
      std::cerr << rt.services().messages.get(r.error().fields.front().key) << '\n';
      throw CLI::RuntimeError(2);
    }
    fail(rt, r.error());
  }
  std::cout << fmt::format("{}  serial {}  revoked {} ({})\n", r->issuance_number, r->serial_hex,
                           jst(r->revoked_at), f.reason);
}

// One line a certificate, newest first: 発行番号, generation, terminal, serial, status, notAfter.
void list(const GlobalOptions& g, const CertificateFlags& f) {
  Runtime rt(g, Runtime::ExistingDatabase{});
  store::CertificateFilter filter;
  if (!f.institution.empty()) filter.institution_code = f.institution;
  if (!f.status.empty()) {
    filter.status = domain::parse_certificate_state(f.status);
    if (!filter.status) {
      std::cerr << "--status wants issued, active, revoked or expired\n";
      throw CLI::RuntimeError(2);
    }
  }
  filter.limit = f.limit;
  for (const auto& c : app::list_certificates(rt.services(), filter)) {
    std::cout << fmt::format("{}  g{}  {}  {}  {:<7}  until {}\n", c.issuance_number, c.generation,
                             c.terminal, c.serial_hex, domain::state_key(c.status),
                             jst(c.not_after));
  }
}

}  // namespace

void register_admin_certificate_commands(CLI::App& admin, GlobalOptions& globals) {
  auto f = std::make_shared<CertificateFlags>();
  auto* certs = admin.add_subcommand("certificates", "Issued certificates (受取, 失効)");
  certs->require_subcommand(1);

  auto* unlock_cmd = certs->add_subcommand(
      "unlock", "取得ロックを解除: clear a pickup locked by wrong codes (audited)");
  unlock_cmd->add_option("number", f->number, "発行番号, e.g. C-00000012-01")->required();
  unlock_cmd->add_option("--operator", f->operator_login, "Login of the operator doing this")
      ->required();
  unlock_cmd->callback([&globals, f] { unlock(globals, *f); });

  auto* show_cmd = certs->add_subcommand(
      "show", "A certificate: every field, its status, revocation and where its pickup stands");
  show_cmd
      ->add_option("certificate", f->number,
                   "発行番号 (its current certificate, e.g. C-00000012-01) or serial")
      ->required();
  show_cmd->callback([&globals, f] { show(globals, *f); });

  auto* revoke_cmd = certs->add_subcommand(
      "revoke", "失効: revoke a certificate at once, with an RFC 5280 reason (audited, mailed)");
  revoke_cmd->add_option("certificate", f->number, "発行番号 (its current certificate) or serial")
      ->required();
  revoke_cmd
      ->add_option("--reason", f->reason,
                   "unspecified, keyCompromise, affiliationChanged, superseded or "
                   "cessationOfOperation")
      ->required();
  revoke_cmd->add_option("--compromised-since", f->compromised_since,
                         "keyCompromise: the date (YYYY-MM-DD) since when the key is in doubt");
  revoke_cmd->add_option("--operator", f->operator_login, "Login of the operator doing this")
      ->required();
  revoke_cmd->callback([&globals, f] { revoke(globals, *f); });

  auto* list_cmd = certs->add_subcommand("list", "Certificates, newest first");
  list_cmd->add_option("--institution", f->institution, "医療機関コード (10 digits)");
  list_cmd->add_option("--status", f->status, "issued, active, revoked or expired");
  list_cmd->add_option("--limit", f->limit, "At most this many (default 100)");
  list_cmd->callback([&globals, f] { list(globals, *f); });
}

}  // namespace onshi::cli
