// `onshi db migrate|status`.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/runtime.hpp"

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
  db->add_subcommand("status", "Print the schema version")->callback([&globals] {
    Runtime rt(globals);
    std::cout << "schema version " << rt.db().schema_version() << '\n';
  });
}

}  // namespace onshi::cli
