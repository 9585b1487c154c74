// `onshi db migrate|status`.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/runtime.hpp"
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
