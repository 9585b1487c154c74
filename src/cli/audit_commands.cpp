// `onshi audit verify|list`: the hash-chained audit log from the shell.
#include <fmt/format.h>

#include <iostream>

#include "app/core/audit.hpp"
#include "cli/commands.hpp"
#include "cli/runtime.hpp"
#include "util/clock.hpp"

namespace onshi::cli {
namespace {

void verify(const GlobalOptions& g, const std::string& checkpoint_text) {
  std::optional<app::AuditCheckpoint> checkpoint;
  if (!checkpoint_text.empty()) {
    checkpoint = app::parse_audit_checkpoint(checkpoint_text);
    if (!checkpoint) {
      std::cerr << "--checkpoint takes SEQ:HASH as printed by an earlier verify\n";
      throw CLI::RuntimeError(2);
    }
  }
  Runtime rt(g, Runtime::ExistingDatabase{});
  const auto v = app::verify_audit_log(rt.services(), checkpoint);
  if (!v.ok) {
    std::cout << fmt::format("audit log BROKEN at entry {}: {}\n", v.first_bad_seq, v.problem);
    throw CLI::RuntimeError(1);
  }
  std::cout << fmt::format("audit log OK: {} entries{}\n", v.entries,
                           checkpoint ? fmt::format(", checkpoint {} holds", checkpoint->seq) : "");
  // Kept outside the database (a ticket, another machine), it lets a later verify detect
  // truncation, which the chain alone cannot.
  if (v.head) std::cout << "checkpoint: " << v.head->text() << '\n';
}

void list(const GlobalOptions& g, const store::AuditFilter& f) {
  Runtime rt(g, Runtime::ExistingDatabase{});
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
  auto checkpoint = std::make_shared<std::string>();
  auto* verify_cmd = audit->add_subcommand(
      "verify", "Recompute the hash chain; exit 1 at the first changed or missing entry");
  verify_cmd->add_option(
      "--checkpoint", *checkpoint,
      "SEQ:HASH printed by an earlier verify: also detect deleted newest entries");
  verify_cmd->callback([&globals, checkpoint] { verify(globals, *checkpoint); });
  auto f = std::make_shared<store::AuditFilter>();
  auto* list_cmd = audit->add_subcommand("list", "Newest entries first");
  list_cmd->add_option("--actor", f->actor, "e.g. operator:3");
  list_cmd->add_option("--action", f->action_prefix, "Action prefix, e.g. application.");
  list_cmd->add_option("--subject", f->subject, "e.g. C-00000012");
  list_cmd->add_option("--limit", f->limit, "How many (default 100)");
  list_cmd->callback([&globals, f] { list(globals, *f); });
}

}  // namespace onshi::cli
