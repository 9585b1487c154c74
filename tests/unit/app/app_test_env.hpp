#pragma once
// A complete app::Services over a temporary SQLite database and a clock the test moves by hand.
// Shared by tests/unit/app and tests/unit/web (both link onshi_app).
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "app/core/config.hpp"
#include "app/core/messages.hpp"
#include "app/core/password_policy.hpp"
#include "app/core/services.hpp"
#include "store/database.hpp"
#include "util/clock.hpp"
#include "util/secrets.hpp"
#include "util/templates.hpp"

namespace onshi::test {

class FakeClock final : public util::Clock {
 public:
  explicit FakeClock(util::TimePoint start) : now_(start) {}
  util::TimePoint now() const override {
    std::lock_guard lock(mutex_);
    return now_;
  }
  void advance(std::chrono::milliseconds by) {
    std::lock_guard lock(mutex_);
    now_ += by;
  }
  void set(util::TimePoint t) {
    std::lock_guard lock(mutex_);
    now_ = t;
  }

 private:
  mutable std::mutex mutex_;
  util::TimePoint now_;
};

// A fresh directory under the system temp dir, removed with everything in it at the end.
class TempDir {
 public:
  TempDir()
      : path_(std::filesystem::temp_directory_path() / ("onshi-unit-" + util::random_token(9))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// `database_url` empty: SQLite in data_dir, as for every test.
inline app::Config test_config(const std::filesystem::path& data_dir,
                               const std::string& database_url = {}) {
  app::Config c;
  c.data_dir = data_dir;
  c.database_url = database_url;
  c.resources = ONSHI_SOURCE_DIR;
  c.base_url = "http://portal.test/";
  app::finish_config(c);
  return c;
}

// 2026-04-01 00:00:00 UTC.
inline constexpr std::int64_t kStartUnix = 1'775'001'600;

// Everything a use case needs; the database is migrated.
struct TestEnv {
  TestEnv() = default;
  // The same on another database, which must be empty (the benchmarks run on PostgreSQL so).
  explicit TestEnv(const std::string& database_url)
      : config(test_config(dir.path(), database_url)) {}

  TempDir dir;
  app::Config config = test_config(dir.path());
  std::unique_ptr<store::Database> db = open_migrated(config.database_url);
  FakeClock clock{util::from_unix(kStartUnix)};
  util::Templates templates{std::filesystem::path(ONSHI_SOURCE_DIR) / "templates"};
  app::Messages messages =
      app::Messages::load(std::filesystem::path(ONSHI_SOURCE_DIR) / "data/messages.ja.toml");
  app::PasswordPolicy passwords = app::PasswordPolicy::load(
      std::filesystem::path(ONSHI_SOURCE_DIR) / "data/common-passwords.txt");
  app::ReferenceData reference = app::ReferenceData::load(ONSHI_SOURCE_DIR);
  app::Services services{config, *db, clock, templates, messages, passwords, reference};

  static std::unique_ptr<store::Database> open_migrated(const std::string& url) {
    auto db = store::open_database(url, 2);
    db->migrate();
    return db;
  }

  // Mail not yet sent whose next attempt is due now.
  std::vector<store::OutboxMail> due_mail() {
    std::vector<store::OutboxMail> out;
    db->read([&](store::ReadTx& tx) { out = tx.outbox().due_mail(services.now_ms(), 1000); });
    return out;
  }
  std::int64_t pending_mail() {
    std::int64_t n = 0;
    db->read([&](store::ReadTx& tx) { n = tx.outbox().pending_mail_count(); });
    return n;
  }
};

// The value after "NAME?token=" up to the end of its line, or "" when the body has no such link.
inline std::string token_after(std::string_view body, std::string_view marker) {
  const auto at = body.find(marker);
  if (at == std::string_view::npos) return {};
  const auto start = at + marker.size();
  const auto end = body.find_first_of("\r\n", start);
  return std::string(body.substr(start, end == std::string_view::npos ? end : end - start));
}

}  // namespace onshi::test
