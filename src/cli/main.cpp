// onshi: the portal, the back office and the certificate authority in one program.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/commands.hpp"
#include "cli/global_options.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "onshi: 医療機関等向けポータルサイト (portal, back office and certificate authority for "
      "online eligibility verification)"};
  app.require_subcommand(1);
  app.fallthrough();
  // Logs go to stderr: stdout is for what a command prints (the URL, a generated password).
  spdlog::set_default_logger(spdlog::stderr_color_mt("onshi"));
  onshi::cli::GlobalOptions globals;
  app.add_option("--data", globals.data_dir, "Data folder: database, keys, development mail")
      ->capture_default_str();
  app.add_option("--config", globals.config_file,
                 "TOML configuration file (default: DATA/onshi.toml if present)");
  app.add_option("--database-url", globals.database_url,
                 "sqlite:PATH or postgresql://user@host:port/db (default: database.url, "
                 "ONSHI_DATABASE_URL, or sqlite:DATA/onshi.db)");

  onshi::cli::register_serve_command(app, globals);
  onshi::cli::register_db_commands(app, globals);
  onshi::cli::register_account_commands(app, globals);
  onshi::cli::register_ca_commands(app, globals);
  onshi::cli::register_operator_commands(app, globals);
  onshi::cli::register_admin_commands(app, globals);
  onshi::cli::register_audit_commands(app, globals);
  onshi::cli::register_calendar_commands(app);
  onshi::cli::register_relying_party_command(app, globals);
  onshi::cli::register_terminal_commands(app, globals);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    // Startup failures (unreadable config, database that will not open) end here.
    std::cerr << "onshi: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
