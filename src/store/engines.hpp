#pragma once
// Each engine's Database, behind open_database (database.hpp). Internal to store/.
#include <memory>
#include <string>

#include "store/database.hpp"
#include "store/raw_access.hpp"

namespace onshi::store {

// What a database URL names: "sqlite:PATH", "sqlite://PATH" or a bare path; "postgresql://…" or
// "postgres://…" (libpq's own URI, passed on whole).
struct DatabaseUrl {
  enum class Engine { sqlite, postgresql };
  Engine engine = Engine::sqlite;
  std::string target;  // the file's path, or the libpq URI
};
DatabaseUrl parse_database_url(std::string_view url);

std::unique_ptr<Database> open_sqlite_database(const std::string& path, int pool_size);
// `url` as libpq takes it (postgresql://user@host:port/db).
std::unique_ptr<Database> open_postgres_database(const std::string& url, int pool_size);

RawResult raw_postgres_sql(const std::string& url, const std::string& sql);

// The advisory lock key that `db migrate` holds on PostgreSQL, so that nodes starting at once
// migrate one after the other (the second finds nothing left to do).
inline constexpr long long kMigrationLockKey = 0x6f6e736869'00'01;  // "onshi" 0 1

}  // namespace onshi::store
