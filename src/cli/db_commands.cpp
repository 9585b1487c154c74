// `onshi db migrate|status|backup`.
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/runtime.hpp"
#include "store/backup.hpp"
#include "store/database.hpp"

namespace onshi::cli {

void register_db_commands(CLI::App& root, GlobalOptions& globals) {
  auto* db = root.add_subcommand("db", "Database maintenance");
  db->require_subcommand(1);
  db->add_subcommand("migrate", "Apply the schema migrations not yet applied")
      ->callback([&globals] {
        Runtime rt(globals);
        const int applied = rt.db().migrate();
        std::cout << "applied " << applied << " migration(s); schema version "
                  << rt.db().schema_version() << '\n';
      });
  auto* backup = db->add_subcommand(
      "backup", "Copy the embedded database to a new file while serve runs (SQLite only)");
  auto out = std::make_shared<std::string>();
  backup->add_option("--out", *out, "The new file (never overwritten)")->required();
  backup->callback([&globals, out] {
    Runtime rt(globals, Runtime::ExistingDatabase{});
    const auto done = store::backup_embedded_database(rt.config().database_url, *out);
    if (!done) {
      std::cerr << "db backup: " << done.error() << '\n';
      throw CLI::RuntimeError(2);
    }
    std::cout << "backup written to " << *out << " (" << done->pages << " pages, " << done->bytes
              << " bytes, integrity check ok)\n";
  });
  db->add_subcommand("status", "Print the engine and the schema version")->callback([&globals] {
    Runtime rt(globals);
    const std::string& url = rt.config().database_url;
    const int have = rt.db().schema_version();
    const int want = store::current_schema_version();
    std::cout << "database " << store::redacted_database_url(url) << " ("
              << (store::is_embedded_database(url) ? "sqlite" : "postgresql") << ")\n"
              << "schema version " << have << '\n';
    if (have < want) {
      std::cout << (want - have) << " migration(s) to apply: run `onshi db migrate`\n";
    } else if (have > want) {
      std::cout << "newer than this onshi (" << want << ")\n";
    }
  });
}

}  // namespace onshi::cli
