#pragma once
// A database that can be taken out of reach: it passes everything to the test's SQLite database
// until `down`, then answers ping() false and raises store::DatabaseUnavailable on every
// transaction, as the PostgreSQL backend does while the server restarts. A Site over it shows
// what a node answers during an outage.
#include <atomic>
#include <expected>
#include <memory>

#include "site_test_env.hpp"
#include "store/database.hpp"

namespace onshi::web::test {

class OutOfReachDatabase final : public store::Database {
 public:
  explicit OutOfReachDatabase(store::Database& inner) : inner_(inner) {}
  std::atomic<bool> down{false};

  int migrate() override {
    check();
    return inner_.migrate();
  }
  int schema_version() override {
    check();
    return inner_.schema_version();
  }
  bool ping() noexcept override { return !down && inner_.ping(); }

 protected:
  void transact(store::Durability durability,
                const std::function<Outcome(store::WriteTx&)>& work) override {
    check();
    inner_.write(durability, [&](store::WriteTx& tx) -> std::expected<void, Outcome> {
      if (work(tx) == Outcome::commit) return {};
      return std::unexpected(Outcome::roll_back);
    });
  }
  void snapshot(const std::function<void(store::ReadTx&)>& work) override {
    check();
    inner_.read(work);
  }

 private:
  void check() const {
    if (down) throw store::DatabaseUnavailable("connection refused (the test took it down)");
  }
  store::Database& inner_;
};

// The test Services with the database swapped for one that can go down, and a Site over them.
struct OutageEnv {
  TestEnv& env;
  OutOfReachDatabase db{*env.db};
  app::Services services{
      env.config,     db, env.clock, env.templates, env.messages, env.passwords, env.reference,
      env.services.ca};
  Metrics metrics;
  std::unique_ptr<Site> site = std::make_unique<Site>(services, metrics);

  explicit OutageEnv(TestEnv& e) : env(e) {}
  Response handle(const Request& r) { return site->handle(r); }
};

}  // namespace onshi::web::test
