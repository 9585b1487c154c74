// open_database and its neighbours: the URL names the engine.
#include <filesystem>

#include "store/engines.hpp"
#include "store/migrations.hpp"
#include "store/postgres/connection.hpp"

namespace onshi::store {

DatabaseUrl parse_database_url(std::string_view url) {
  DatabaseUrl out;
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    out.engine = DatabaseUrl::Engine::postgresql;
    out.target = std::string(url);
    return out;
  }
  if (url.starts_with("sqlite://")) {
    url.remove_prefix(9);
  } else if (url.starts_with("sqlite:")) {
    url.remove_prefix(7);
  }
  out.target = std::string(url);
  return out;
}

std::unique_ptr<Database> open_database(const std::string& url, int pool_size) {
  const DatabaseUrl where = parse_database_url(url);
  if (where.engine == DatabaseUrl::Engine::postgresql)
    return open_postgres_database(where.target, pool_size);
  return open_sqlite_database(where.target, pool_size);
}

bool database_exists(const std::string& url) {
  const DatabaseUrl where = parse_database_url(url);
  if (where.engine == DatabaseUrl::Engine::postgresql) {
    // The server creates no database on connecting: one that answers exists.
    try {
      postgres::Connection c(where.target);
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }
  std::error_code ec;
  return std::filesystem::is_regular_file(where.target, ec);
}

bool is_embedded_database(const std::string& url) {
  return parse_database_url(url).engine == DatabaseUrl::Engine::sqlite;
}

std::string redacted_database_url(const std::string& url) {
  if (is_embedded_database(url)) return url;
  // postgresql://user:password@host/...: the password runs from the first ':' after the scheme to
  // the last '@' before the path.
  const std::size_t start = url.find("://") + 3;
  const std::size_t path = url.find_first_of("/?", start);
  const std::size_t at = url.rfind('@', path == std::string::npos ? url.size() : path);
  if (at == std::string::npos || at < start) return url;
  const std::size_t colon = url.find(':', start);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

int current_schema_version() {
  return sqlite_migrations().back().version;
}

}  // namespace onshi::store
