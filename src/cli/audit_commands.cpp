// `onshi audit verify|list`: the hash-chained audit log from the shell.
#include <fmt/format.h>

#include <iostream>

#include "app/audit.hpp"
#include "cli/commands.hpp"
#include "cli/runtime.hpp"
#include "util/clock.hpp"

namespace onshi::cli {
namespace {

void verify(const GlobalOptions& g) {
  Runtime rt(g);
  const auto v = app::verify_audit_log(rt.services());
  if (!v.ok) {
    std::cout << fmt::format("audit log BROKEN at entry {}: {}\n", v.first_bad_seq, v.problem);
    throw CLI::RuntimeError(1);
  }
  std::cout << fmt::format("audit log OK: {} entries, head {}\n", v.entries, v.head_hash);
}

void list(const GlobalOptions& g, const store::AuditFilter& f) {
  Runtime rt(g);
  for (const auto& e : app::audit_log(rt.services(), f)) {
    std::cout << fmt::format("{:>6}  {}  {:<20}  {:<26}  {:<16}  {}\n", e.seq,
                             util::format_jst(util::TimePoint{std::chrono::milliseconds{e.at}}),
                             e.actor, e.action, e.subject, e.detail);
  }
}

}  // namespace

void register_audit_commands(CLI::App& root, GlobalOptions& globals) {
  auto* audit = root.add_subcommand("audit", "The append-only audit log");
  audit->require_subcommand(1);
  audit
      ->add_subcommand("verify",
                       "Recompute the hash chain; exit 1 at the first changed or missing entry")
      ->callback([&globals] { verify(globals); });
  auto f = std::make_shared<store::AuditFilter>();
  auto* list_cmd = audit->add_subcommand("list", "Newest entries first");
  list_cmd->add_option("--actor", f->actor, "e.g. operator:3");
  list_cmd->add_option("--action", f->action_prefix, "Action prefix, e.g. application.");
  list_cmd->add_option("--subject", f->subject, "e.g. C-00000012");
  list_cmd->add_option("--limit", f->limit, "How many (default 100)");
  list_cmd->callback([&globals, f] { list(globals, *f); });
}

}  // namespace onshi::cli
