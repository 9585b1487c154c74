#pragma once
// Everything a subcommand needs, built from the global options and the configuration.
#include <memory>

#include "app/ca/certificate_authority.hpp"
#include "app/core/config.hpp"
#include "app/core/services.hpp"
#include "cli/global_options.hpp"

namespace onshi::cli {

class Runtime {
 public:
  // `adjust` applies the subcommand's own flags before dependent defaults are filled in.
  explicit Runtime(const GlobalOptions& g, const std::function<void(app::Config&)>& adjust = {});
  // For commands that read or change records: a folder without a database (a mistyped --data),
  // or a database of another schema version, is said plainly with exit status 2, before anything
  // is created there.
  struct ExistingDatabase {};
  Runtime(const GlobalOptions& g, ExistingDatabase);
  const app::Services& services() const { return *services_; }
  app::Config& config() { return config_; }
  store::Database& db() { return *db_; }
  // Loads the issuing CA when one was initialised (services().ca stays null otherwise). Throws
  // when it exists but its key cannot be opened.
  bool load_ca();

 private:
  void start(bool existing_database);

  app::Config config_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<util::Clock> clock_;
  std::unique_ptr<util::Templates> templates_;
  std::unique_ptr<app::Messages> messages_;
  std::unique_ptr<app::PasswordPolicy> passwords_;
  std::unique_ptr<app::ReferenceData> reference_;
  std::unique_ptr<app::CertificateAuthority> ca_;
  std::unique_ptr<app::Services> services_;
};

}  // namespace onshi::cli
