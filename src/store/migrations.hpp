#pragma once
#include <string_view>
#include <vector>

namespace onshi::store {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// Numbered schema changes for SQLite, oldest first (generated from
// src/store/migrations/sqlite/*.sql).
const std::vector<Migration>& sqlite_migrations();
// The same numbers for PostgreSQL (src/store/migrations/postgres/*.sql).
const std::vector<Migration>& postgres_migrations();

}  // namespace onshi::store
