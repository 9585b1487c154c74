// The SQLite Database: a small pool of connections to one WAL-mode file.
#include <fmt/format.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "store/engines.hpp"
#include "store/migrations.hpp"
#include "store/sql/sql_tx.hpp"
#include "store/sqlite/sqlite_session.hpp"

namespace onshi::store {
namespace {

using sqlite::Connection;
using sqlite::SqliteSession;
using SqliteTx = sql::SqlTx;

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::string path, int pool_size) : path_(std::move(path)) {
    const auto parent = std::filesystem::path(path_).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    for (int i = 0; i < std::max(1, pool_size); ++i)
      idle_.push_back(std::make_unique<Connection>(path_));
    durable_ = std::make_unique<Connection>(path_, true);
  }

  int migrate() override {
    Lease lease(*this);
    Connection& c = *lease.connection;
    c.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT "
        "NULL, applied_at INTEGER NOT NULL)");
    int applied = 0;
    // A migration that rebuilds a table (SQLite cannot drop a constraint) drops a table others
    // refer to: foreign keys are off while it runs, which SQLite allows only outside a
    // transaction, and checked as a whole before it commits.
    c.exec("PRAGMA foreign_keys = OFF");
    try {
      for (const auto& m : sqlite_migrations()) {
        c.exec("BEGIN IMMEDIATE");
        try {
          auto check = c.prepare("SELECT 1 FROM schema_migrations WHERE version = ?");
          check.bind_all(m.version);
          const bool done = check.step();
          if (!done) {
            c.exec(std::string(m.sql).c_str());
            auto broken = c.prepare("PRAGMA foreign_key_check");
            if (broken.step()) {
              // The check covers the whole database, so the row may be older than this
              // migration; this migration is rolled back either way.
              throw std::runtime_error(fmt::format(
                  "after migration {}, row {} of {} refers to a missing row of {}; the migration "
                  "was rolled back",
                  m.name, broken.text(1), broken.text(0), broken.text(2)));
            }
            c.prepare(
                 "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, "
                 "strftime('%s','now'))")
                .bind_all(m.version, m.name)
                .run();
            ++applied;
          }
          c.exec("COMMIT");
        } catch (...) {
          c.exec("ROLLBACK");
          throw;
        }
      }
    } catch (...) {
      c.exec("PRAGMA foreign_keys = ON");
      throw;
    }
    c.exec("PRAGMA foreign_keys = ON");
    return applied;
  }

  int schema_version() override {
    Lease lease(*this);
    // A database never migrated has no schema_migrations table: version 0.
    auto exists = lease.connection->prepare(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
    if (!exists.step()) return 0;
    auto s = lease.connection->prepare("SELECT coalesce(max(version), 0) FROM schema_migrations");
    return s.step() ? s.integer(0) : 0;
  }

  bool ping() noexcept override {
    try {
      Lease lease(*this);
      auto s = lease.connection->prepare("SELECT 1");
      return s.step() && s.integer(0) == 1;
    } catch (...) {
      return false;
    }
  }

 private:
  // Borrows a connection for the length of one transaction: one of the pool's, or for a
  // Durability::full write the durable connection, one writer at a time (SQLite has one writer at
  // a time anyway).
  struct Lease {
    explicit Lease(SqliteDatabase& db, Durability durability = Durability::normal) : db_(db) {
      if (durability == Durability::full) {
        durable_lock_ = std::unique_lock(db_.durable_mutex_);
        connection = db_.durable_.get();
        return;
      }
      std::unique_lock lock(db_.mutex_);
      db_.available_.wait(lock, [&] { return !db_.idle_.empty(); });
      pooled_ = std::move(db_.idle_.back());
      db_.idle_.pop_back();
      connection = pooled_.get();
    }
    ~Lease() {
      if (!pooled_) return;
      {
        std::lock_guard lock(db_.mutex_);
        db_.idle_.push_back(std::move(pooled_));
      }
      db_.available_.notify_one();
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    SqliteDatabase& db_;
    Connection* connection = nullptr;

   private:
    std::unique_ptr<Connection> pooled_;
    std::unique_lock<std::mutex> durable_lock_;
  };

  static void roll_back(Connection& c) noexcept {
    try {
      c.exec("ROLLBACK");
    } catch (...) {
      // The transaction may already be gone (e.g. SQLITE_FULL rolls back by itself).
    }
  }

  void transact(Durability durability, const std::function<Outcome(WriteTx&)>& work) override {
    for (int attempt = 1;; ++attempt) {
      // The connection goes back to the pool between attempts, so that a writer stuck behind
      // another process's lock does not keep readers waiting as well.
      Lease lease(*this, durability);
      Connection& c = *lease.connection;
      try {
        // IMMEDIATE takes the writer lock at BEGIN, so a transaction that read cannot be
        // refused the upgrade to writing halfway through.
        c.exec("BEGIN IMMEDIATE");
        SqliteSession session(c);
        SqliteTx tx(session);
        if (work(tx) == Outcome::commit) {
          c.exec("COMMIT");
        } else {
          c.exec("ROLLBACK");
        }
        return;
      } catch (const TransientConflict&) {
        roll_back(c);
        if (attempt == kAttempts) throw;
      } catch (...) {
        roll_back(c);
        throw;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(attempt * 5));
    }
  }

  void snapshot(const std::function<void(ReadTx&)>& work) override {
    Lease lease(*this);
    Connection& c = *lease.connection;
    try {
      c.exec("BEGIN");
      // The read-only session refuses a write that reached a ReadTx by a cast.
      SqliteSession session(c, SqliteSession::Access::read_only);
      SqliteTx tx(session);
      work(tx);
      c.exec("COMMIT");
    } catch (...) {
      roll_back(c);
      throw;
    }
  }

  // Each busy attempt has waited the busy timeout (10 s) already: three are enough.
  static constexpr int kAttempts = 3;
  std::string path_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  // Durability::full. SQLite fixes `synchronous` per connection, outside transactions, so a
  // durable commit runs on a connection opened with synchronous=FULL rather than switching a
  // pooled one back and forth: the PRAGMA would need a statement of its own around each such
  // transaction, and like every flag pragma it expires all of the connection's prepared
  // statements. In WAL mode its COMMIT flushes
  // the WAL file, which holds every commit before it from any connection, so a durable commit
  // makes those durable too (issuance relies on it: the reservations of step 1, committed
  // normally, are on the disk once step 3 is).
  std::mutex durable_mutex_;
  std::unique_ptr<Connection> durable_;
};

}  // namespace

std::unique_ptr<Database> open_sqlite_database(const std::string& path, int pool_size) {
  return std::make_unique<SqliteDatabase>(path, pool_size);
}

}  // namespace onshi::store
