#pragma once
// The storage authority: use cases open one transaction per user action and call the
// repositories (repositories.hpp) it hands out. Nothing outside store/ sees SQL or the database
// API.
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "store/billing_repositories.hpp"
#include "store/repositories.hpp"

namespace onshi::store {

// Raised when a unique constraint refuses a row (e.g. an e-mail registered twice in a race). The
// transaction is lost (PostgreSQL aborts it): catch it outside Database::write, never inside.
struct UniqueViolation : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The engine could not serialise this transaction with another (SQLite busy past its timeout, a
// fork of the audit chain refused, PostgreSQL's serialization failure). Database::write runs the
// work again a few times before letting this escape.
struct TransientConflict : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The database cannot be reached (the server restarting, the network down, no connection free in
// time). Nothing was committed by the call that raised it, unless it was raised by the COMMIT
// itself; the web layer answers 503 so that the user tries again and the balancer drains the node.
struct DatabaseUnavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A read-only transaction: readers only, and the backend refuses writes underneath as well.
class ReadTx {
 public:
  virtual ~ReadTx() = default;
  virtual AccountsReader& accounts() = 0;
  virtual SessionsReader& sessions() = 0;
  virtual TokensReader& tokens() = 0;
  virtual OutboxReader& outbox() = 0;
  virtual UsageApplicationsReader& usage_applications() = 0;
  virtual CertificateApplicationsReader& certificate_applications() = 0;
  virtual CertificatesReader& certificates() = 0;
  virtual IssuanceReader& issuance() = 0;
  virtual NoticeLettersReader& letters() = 0;
  virtual OperatorsReader& operators() = 0;
  virtual AuditReader& audit() = 0;
  virtual SettingsReader& settings() = 0;
  virtual CrlsReader& crls() = 0;
  virtual OcspReader& ocsp() = 0;
  virtual JobsReader& jobs() = 0;
  virtual BillingReader& billing() = 0;
  virtual RemindersReader& reminders() = 0;
};

class WriteTx : public ReadTx {
 public:
  // Whether this transaction's COMMIT returns only once the engine's log is on the disk, as the
  // engine itself reports it on the connection running the transaction (SQLite's `synchronous`
  // at FULL or above, PostgreSQL's `synchronous_commit` not off). For the tests of
  // Durability, and for a use case that must not go on otherwise.
  virtual bool commit_waits_for_disk() = 0;
  AccountsWriter& accounts() override = 0;
  SessionsWriter& sessions() override = 0;
  TokensWriter& tokens() override = 0;
  OutboxWriter& outbox() override = 0;
  UsageApplicationsWriter& usage_applications() override = 0;
  CertificateApplicationsWriter& certificate_applications() override = 0;
  CertificatesWriter& certificates() override = 0;
  IssuanceWriter& issuance() override = 0;
  NoticeLettersWriter& letters() override = 0;
  OperatorsWriter& operators() override = 0;
  AuditWriter& audit() override = 0;
  SettingsWriter& settings() override = 0;
  CrlsWriter& crls() override = 0;
  OcspWriter& ocsp() override = 0;
  JobsWriter& jobs() override = 0;
  BillingWriter& billing() override = 0;
  RemindersWriter& reminders() override = 0;
};

namespace detail {
template <class T>
struct is_expected : std::false_type {};
template <class T, class E>
struct is_expected<std::expected<T, E>> : std::true_type {};
}  // namespace detail

// How far a write transaction's COMMIT has gone when Database::write returns.
//   normal  atomic and consistent, but the last commits may be lost to a power cut or an OS crash
//           (SQLite WAL with synchronous=NORMAL: the log is flushed at checkpoints; PostgreSQL as
//           the server is configured). Sessions, mail state, drafts: redone or harmless if lost.
//   full    on the disk: the engine has flushed its log, and with it every commit before this one
//           (SQLite synchronous=FULL, PostgreSQL synchronous_commit=on for the transaction). The
//           CA's rows: a certificate handed out or a revocation must not vanish after the fact.
enum class Durability { normal, full };

class Database {
 public:
  virtual ~Database() = default;

  // Runs `work` in one write transaction and returns what it returns. Rolled back when it throws
  // or returns an error (a std::expected without a value), committed otherwise. `work` may run
  // more than once (TransientConflict), so it reports through its result, never through
  // variables it captured.
  template <class F>
  std::invoke_result_t<F&, WriteTx&> write(F&& work) {
    return write(Durability::normal, std::forward<F>(work));
  }
  // The same, committed with `durability`.
  template <class F>
  std::invoke_result_t<F&, WriteTx&> write(Durability durability, F&& work) {
    using R = std::invoke_result_t<F&, WriteTx&>;
    if constexpr (std::is_void_v<R>) {
      transact(durability, [&](WriteTx& tx) {
        work(tx);
        return Outcome::commit;
      });
    } else {
      std::optional<R> result;
      transact(durability, [&](WriteTx& tx) {
        result.reset();
        result.emplace(work(tx));
        if constexpr (detail::is_expected<R>::value) {
          if (!result->has_value()) return Outcome::roll_back;
        }
        return Outcome::commit;
      });
      return std::move(*result);
    }
  }

  // Runs `work` on a read-only snapshot and returns what it returns.
  template <class F>
  std::invoke_result_t<F&, ReadTx&> read(F&& work) {
    using R = std::invoke_result_t<F&, ReadTx&>;
    if constexpr (std::is_void_v<R>) {
      snapshot([&](ReadTx& tx) { work(tx); });
    } else {
      std::optional<R> result;
      snapshot([&](ReadTx& tx) { result.emplace(work(tx)); });
      return std::move(*result);
    }
  }

  // Applies the numbered migrations not yet applied; returns how many ran.
  virtual int migrate() = 0;
  virtual int schema_version() = 0;
  // True when the database answers a trivial query.
  virtual bool ping() noexcept = 0;

 protected:
  enum class Outcome { commit, roll_back };
  // One write transaction around `work`, retried on TransientConflict, committed with
  // `durability`.
  virtual void transact(Durability durability, const std::function<Outcome(WriteTx&)>& work) = 0;
  virtual void snapshot(const std::function<void(ReadTx&)>& work) = 0;
};

// `url` is "sqlite:PATH" or a bare path. `pool_size` connections are shared by all threads.
std::unique_ptr<Database> open_database(const std::string& url, int pool_size = 4);
// True when the URL names a database that exists (for SQLite, its file), so that a command can
// refuse a mistyped folder instead of creating an empty database there.
bool database_exists(const std::string& url);
// The schema version this build migrates to.
int current_schema_version();
// True for the embedded engine (SQLite), whose one node may migrate at start; false for a server
// that several nodes share, where only `onshi db migrate` changes the schema.
bool is_embedded_database(const std::string& url);
// The URL as it may be logged or printed: a password in it replaced by "***".
std::string redacted_database_url(const std::string& url);

}  // namespace onshi::store
