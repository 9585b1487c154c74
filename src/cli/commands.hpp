#pragma once
// Each group of subcommands lives in its own file and registers itself on the root app here.
#include <CLI/CLI.hpp>

namespace onshi::cli {

struct GlobalOptions;

void register_serve_command(CLI::App& root, GlobalOptions& globals);
void register_db_commands(CLI::App& root, GlobalOptions& globals);
void register_account_commands(CLI::App& root, GlobalOptions& globals);
void register_ca_commands(CLI::App& root, GlobalOptions& globals);
void register_operator_commands(CLI::App& root, GlobalOptions& globals);
void register_admin_commands(CLI::App& root, GlobalOptions& globals);
// `onshi admin certificates unlock|show`, under the `admin` command.
void register_admin_certificate_commands(CLI::App& admin, GlobalOptions& globals);
// `onshi admin billing close|pay` (発行料, issue 19), under the `admin` command.
void register_admin_billing_commands(CLI::App& admin, GlobalOptions& globals);
// `onshi admin reminders run` and `onshi admin certificates expiring`, after the above.
void register_admin_reminder_commands(CLI::App& admin, GlobalOptions& globals);
void register_audit_commands(CLI::App& root, GlobalOptions& globals);
// Business calendar for operators answering clinics (issue 3): `onshi calendar ...`.
void register_calendar_commands(CLI::App& root);
// The mutual-TLS relying party of issue 17: `onshi relying-party`.
void register_relying_party_command(CLI::App& root, GlobalOptions& globals);
// 接続確認 on a vendor's laptop, without a database (issue 17): `onshi terminal check`.
void register_terminal_commands(CLI::App& root, GlobalOptions& globals);

}  // namespace onshi::cli
