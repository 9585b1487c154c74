// The PostgreSQL Database: a pool of libpq connections; every write transaction SERIALIZABLE, so
// that the statements the repositories share with SQLite (whose writers are serial) mean the same
// here, and run again when the server reports a conflict.
#include <fmt/format.h>

#include <random>
#include <thread>

#include "store/engines.hpp"
#include "store/migrations.hpp"
#include "store/postgres/connection.hpp"
#include "store/postgres/postgres_session.hpp"
#include "store/sql/sql_tx.hpp"

namespace onshi::store {
namespace {

using postgres::Connection;
using postgres::ConnectionLost;
using postgres::ConnectionPool;
using postgres::PostgresSession;

void roll_back(Connection& c) noexcept {
  try {
    if (c.in_transaction()) c.execute("ROLLBACK");
  } catch (...) {
    // A lost connection has no transaction left to roll back; the pool resets it.
  }
}

// Between attempts: growing, with jitter so that two nodes that collided do not collide again.
void back_off(int attempt) {
  thread_local std::minstd_rand random(std::random_device{}());
  const int ceiling = std::min(200, 2 << std::min(attempt, 7));
  std::this_thread::sleep_for(
      std::chrono::milliseconds(std::uniform_int_distribution<int>(1, ceiling)(random)));
}

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(const std::string& url, int pool_size) : pool_(url, std::max(1, pool_size)) {}

  int migrate() override {
    auto lease = pool_.borrow();
    Connection& c = *lease;
    // Session-level, held across the migrations' own transactions.
    c.execute("SELECT pg_advisory_lock($1)", {static_cast<std::int64_t>(kMigrationLockKey)});
    int applied = 0;
    try {
      c.execute(
          "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT "
          "NULL, applied_at BIGINT NOT NULL)");
      for (const auto& m : postgres_migrations()) {
        c.execute("BEGIN");
        try {
          auto done = c.execute("SELECT 1 FROM schema_migrations WHERE version = $1",
                                {static_cast<std::int64_t>(m.version)});
          if (done.rows() == 0) {
            c.execute_script(m.sql);
            c.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, "
                "extract(epoch from now())::bigint)",
                {static_cast<std::int64_t>(m.version), m.name});
            ++applied;
          }
          c.execute("COMMIT");
        } catch (...) {
          roll_back(c);
          throw;
        }
      }
    } catch (...) {
      unlock(c);
      throw;
    }
    unlock(c);
    return applied;
  }

  int schema_version() override {
    auto lease = pool_.borrow();
    auto exists = lease->execute("SELECT to_regclass('schema_migrations') IS NOT NULL");
    if (exists.text(0, 0) != "t") return 0;
    auto r = lease->execute("SELECT coalesce(max(version), 0) FROM schema_migrations");
    return static_cast<int>(r.int64(0, 0));
  }

  bool ping() noexcept override {
    try {
      auto lease = pool_.borrow(std::chrono::milliseconds(1000));
      // The primary: a standby answers true here, and a node must not take writes there.
      auto r = lease->execute("SELECT pg_is_in_recovery()");
      return r.rows() == 1 && r.text(0, 0) == "f";
    } catch (...) {
      return false;
    }
  }

 private:
  static void unlock(Connection& c) noexcept {
    try {
      c.execute("SELECT pg_advisory_unlock($1)", {static_cast<std::int64_t>(kMigrationLockKey)});
    } catch (...) {
      // A lost connection has released its locks with it.
    }
  }

  void transact(Durability durability, const std::function<Outcome(WriteTx&)>& work) override {
    for (int attempt = 1;; ++attempt) {
      auto lease = pool_.borrow();
      Connection& c = *lease;
      bool committing = false;
      try {
        c.execute("BEGIN ISOLATION LEVEL SERIALIZABLE");
        // The server's or the role's setting may be off (scripts/pg-cluster's fast mode does
        // that); for this transaction only, COMMIT waits for the WAL flush, which also covers
        // every asynchronous commit before it.
        if (durability == Durability::full) c.execute("SET LOCAL synchronous_commit = on");
        PostgresSession session(c);
        sql::SqlTx tx(session);
        if (work(tx) == Outcome::commit) {
          // A backend that the server ended while this transaction was idle (a restart, a
          // terminated backend) has said so on the socket: lost before COMMIT, so safe to run
          // again, where a COMMIT sent into it would leave the outcome unknown.
          if (!c.usable()) throw ConnectionLost("", "postgres: connection lost before COMMIT");
          committing = true;
          c.execute("COMMIT");
        } else {
          c.execute("ROLLBACK");
        }
        return;
      } catch (const TransientConflict&) {
        roll_back(c);
        if (attempt == kConflictAttempts) throw;
      } catch (const ConnectionLost& e) {
        // Lost before COMMIT: nothing took effect, so the work may run again on a new connection.
        // Lost during COMMIT: it may have taken effect, and only the caller can tell.
        if (committing || attempt >= kLostAttempts) throw;
      } catch (...) {
        roll_back(c);
        throw;
      }
      back_off(attempt);
    }
  }

  void snapshot(const std::function<void(ReadTx&)>& work) override {
    for (int attempt = 1;; ++attempt) {
      auto lease = pool_.borrow();
      Connection& c = *lease;
      try {
        // READ ONLY makes the server refuse a write that reached a ReadTx by a cast.
        c.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        PostgresSession session(c);
        sql::SqlTx tx(session);
        work(tx);
        c.execute("COMMIT");
        return;
      } catch (const ConnectionLost&) {
        if (attempt >= kLostAttempts) throw;
      } catch (...) {
        roll_back(c);
        throw;
      }
      back_off(attempt);
    }
  }

  // Serializable transactions of the same rows may fail many times in a rush; each attempt is
  // short.
  static constexpr int kConflictAttempts = 30;
  // One more try after a lost connection: the pool reconnects, or the server is away.
  static constexpr int kLostAttempts = 2;
  ConnectionPool pool_;
};

}  // namespace

std::unique_ptr<Database> open_postgres_database(const std::string& url, int pool_size) {
  return std::make_unique<PostgresDatabase>(url, pool_size);
}

}  // namespace onshi::store
