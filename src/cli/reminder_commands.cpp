// `onshi admin reminders run` and `onshi admin certificates expiring`: 有効期限のお知らせ from the
// shell, with the use cases `onshi serve`'s scheduler and the back office's page use.
#include <fmt/format.h>

#include <iostream>

#include "app/ca/expiry_reminders.hpp"
#include "app/office/expiry_plan.hpp"
#include "cli/commands.hpp"
#include "cli/runtime.hpp"
#include "util/clock.hpp"
#include "util/text.hpp"

namespace onshi::cli {
namespace {

// What `onshi serve` does every reminders.interval_seconds, once, here and now. No job lease: a
// sweep is safe beside a server's (each reminder is recorded once), and an operator who runs it
// wants it run.
void run_reminders(const GlobalOptions& g) {
  Runtime rt(g, Runtime::ExistingDatabase{});
  const auto r = app::send_expiry_reminders(rt.services());
  std::cout << fmt::format("reminded {} certificate(s) of {} institution(s)\n", r.certificates,
                           r.institutions);
}

// One line a certificate, soonest first: notAfter (JST), days left, 発行番号, terminal, status,
// 医療機関コード, prefecture, name.
void expiring(const GlobalOptions& g, int within_days) {
  if (within_days < 1 || within_days > 3650) {
    std::cerr << "--within-days wants 1 to 3650\n";
    throw CLI::RuntimeError(2);
  }
  Runtime rt(g, Runtime::ExistingDatabase{});
  const auto& s = rt.services();
  const auto now = s.now_ms();
  for (const auto& c : app::certificates_expiring(s, within_days)) {
    const auto* pref = s.reference.regions.prefecture(c.prefecture);
    std::cout << fmt::format(
        "{}  {:>4}d  {}  {}  {:<6}  {}  {}  {}\n",
        util::format_jst(util::TimePoint{std::chrono::milliseconds{c.not_after}}),
        app::days_until_expiry(c.not_after, now), c.issuance_number, c.terminal,
        domain::state_key(c.status), c.institution_code, pref ? pref->name : "?",
        c.institution_name);
  }
}

}  // namespace

void register_admin_reminder_commands(CLI::App& admin, GlobalOptions& globals) {
  auto* reminders = admin.add_subcommand("reminders", "有効期限のお知らせ (expiry reminders)");
  reminders->require_subcommand(1);
  reminders
      ->add_subcommand("run", "Mail every expiry reminder due now, each once (as onshi serve does)")
      ->callback([&globals] { run_reminders(globals); });

  auto within = std::make_shared<int>(90);
  auto* certs = admin.get_subcommand("certificates");
  auto* cmd = certs->add_subcommand(
      "expiring", "Certificates in use (not revoked or renewed) expiring soon, soonest first");
  cmd->add_option("--within-days", *within, "Expiring within this many days (default 90)");
  cmd->callback([&globals, within] { expiring(globals, *within); });
}

}  // namespace onshi::cli
