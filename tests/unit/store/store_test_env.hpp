#pragma once
// A migrated SQLite database in a temporary directory, and the sqlite3 command-line tool to look
// at it from outside (the SQLite headers are private to onshi_store).
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "store/database.hpp"
#include "util/secrets.hpp"

namespace onshi::store::test {

class TempDb {
 public:
  TempDb()
      : dir_(std::filesystem::temp_directory_path() / ("onshi-store-" + util::random_token(9))),
        path_(dir_ / "test.db"),
        db_(open_database("sqlite:" + path_.string(), 2)) {}
  ~TempDb() {
    db_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  TempDb(const TempDb&) = delete;
  TempDb& operator=(const TempDb&) = delete;

  Database& db() { return *db_; }
  const std::filesystem::path& path() const { return path_; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::filesystem::path path_;
  std::unique_ptr<Database> db_;
};

struct CliResult {
  int status = -1;
  std::string output;  // stdout and stderr
};

// Runs a shell command; its exit status and what it printed.
inline CliResult run_command(const std::string& command) {
  CliResult r;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return r;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) r.output.append(buffer, n);
  const int raw = ::pclose(pipe);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return r;
}

// Runs `sqlite3 FILE SQL` (the SQL must not hold a single quote).
inline CliResult sqlite_cli(const std::filesystem::path& file, const std::string& sql) {
  // Appended, not concatenated with +: g++ 12 warns wrongly (-Wrestrict) about the + chain here.
  std::string command = "sqlite3 -batch '";
  command.append(file.string()).append("' '").append(sql).append("' 2>&1");
  return run_command(command);
}

// Runs a script of several statements, quotes allowed, through `sqlite3 -bail FILE < SCRIPT`.
inline CliResult sqlite_script(const std::filesystem::path& file, const std::string& sql) {
  const auto script = file.parent_path() / "script.sql";
  std::ofstream(script, std::ios::binary) << sql;
  std::string command = "sqlite3 -batch -bail '";
  command.append(file.string()).append("' < '").append(script.string()).append("' 2>&1");
  return run_command(command);
}

}  // namespace onshi::store::test
