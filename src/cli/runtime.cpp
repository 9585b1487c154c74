#include "cli/runtime.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cstdlib>

#include <iostream>

#include "store/database.hpp"

namespace onshi::cli {

Runtime::Runtime(const GlobalOptions& g, const std::function<void(app::Config&)>& adjust)
    : config_(app::load_config(g.data_dir, g.config_file)) {
  if (!g.database_url.empty()) config_.database_url = g.database_url;
  if (adjust) adjust(config_);
  start(false);
}

Runtime::Runtime(const GlobalOptions& g, ExistingDatabase)
    : config_(app::load_config(g.data_dir, g.config_file)) {
  if (!g.database_url.empty()) config_.database_url = g.database_url;
  start(true);
}

namespace {

// The system clock, or for integration tests the one ONSHI_TEST_CLOCK_FILE names: only when the
// configuration allows it too, so that a stray variable in production is an error, not a clock.
std::unique_ptr<util::Clock> choose_clock(const app::Config& config) {
  const char* file = std::getenv("ONSHI_TEST_CLOCK_FILE");
  if (file == nullptr || *file == '\0') return std::make_unique<util::SystemClock>();
  if (!config.test_clock) {
    std::cerr << "ONSHI_TEST_CLOCK_FILE is set but development.test_clock is not true: refusing "
                 "to start with a test clock\n";
    throw CLI::RuntimeError(2);
  }
  auto clock = std::make_unique<util::FileClock>(file);
  spdlog::warn("TEST CLOCK: the time is read from {} (now {} JST); never do this in production",
               file, util::format_jst(clock->now()));
  return clock;
}

}  // namespace

void Runtime::start(bool existing_database) {
  app::finish_config(config_);
  clock_ = choose_clock(config_);
  if (existing_database && !store::database_exists(config_.database_url)) {
    std::cerr << fmt::format(
        "no onshi database at {}: check --data or --database-url, or create it with `onshi db "
        "migrate`\n",
        store::redacted_database_url(config_.database_url));
    throw CLI::RuntimeError(2);
  }
  const std::filesystem::path resources = config_.resources;
  db_ = store::open_database(config_.database_url,
                             config_.database_pool_size > 0
                                 ? config_.database_pool_size
                                 : config_.threads + config_.password_threads + 2);
  if (existing_database) {
    const int have = db_->schema_version();
    const int want = store::current_schema_version();
    if (have != want) {
      std::cerr << fmt::format("the database at {} has schema version {}, this onshi uses {}{}\n",
                               store::redacted_database_url(config_.database_url), have, want,
                               have < want ? ": run `onshi db migrate`" : ": use a newer onshi");
      throw CLI::RuntimeError(2);
    }
  }
  templates_ = std::make_unique<util::Templates>(resources / "templates");
  messages_ = std::make_unique<app::Messages>(
      app::Messages::load(resources / "data" / "messages.ja.toml", config_.contact.name));
  passwords_ = std::make_unique<app::PasswordPolicy>(
      app::PasswordPolicy::load(resources / "data" / "common-passwords.txt"));
  reference_ = std::make_unique<app::ReferenceData>(app::ReferenceData::load(resources));
  services_ = std::make_unique<app::Services>(
      app::Services{config_, *db_, *clock_, *templates_, *messages_, *passwords_, *reference_});
}

bool Runtime::load_ca() {
  ca_ = app::CertificateAuthority::open(config_);
  services_->ca = ca_.get();
  return ca_ != nullptr;
}

}  // namespace onshi::cli
