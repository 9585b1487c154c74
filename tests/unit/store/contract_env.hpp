#pragma once
// The store's contract suite (contract_*_test.cpp): what every backend must do, tested through
// Database and the repositories (SQL only for the one promise no reader shows, see Backend::url),
// and instantiated once per backend so that a second engine is proven by the same tests. Fixture
// rows are made with the repositories too.
#include <gtest/gtest.h>

#include <exception>
#include <filesystem>
#include <functional>
#include <latch>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "store/database.hpp"
#ifdef ONSHI_CONTRACT_POSTGRES
#include <cctype>

#include "postgres/postgres_env.hpp"
#endif
#include "store/raw_access.hpp"
#include "util/secrets.hpp"

namespace onshi::store::contract {

struct Backend {
  std::string name;
  // A new, empty (unmigrated) database whose files, if the engine has any, live under `dir`, with
  // a pool of at least 4 connections so that the race tests have transactions in parallel.
  std::function<std::unique_ptr<Database>(const std::filesystem::path& dir)> open;
  // The URL at which raw_sql (store/raw_access.hpp) reaches that database, for the few promises
  // no reader shows (a sent mail's blanked body); the SQL such tests run is standard SQL.
  std::function<std::string(const std::filesystem::path& dir)> url;
};

// An application status by its key, as the tests write them.
inline domain::CertificateApplicationState st(std::string_view key) {
  return domain::parse_state(key).value();
}

inline std::string sqlite_url(const std::filesystem::path& dir) {
  return std::string("sqlite:").append((dir / "contract.db").string());
}

#ifdef ONSHI_CONTRACT_POSTGRES
// A schema of its own per test on the server the environment names (tests/postgres), reached by
// a URL whose search_path is that schema: schemas are cheap where databases are not.
inline std::string postgres_url(const std::filesystem::path& dir) {
  std::string schema = "contract_";
  for (const char c : dir.filename().string()) {
    schema.push_back(std::isalnum(static_cast<unsigned char>(c))
                         ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                         : '_');
  }
  const std::string server = postgres::testing::server_url();
  if (server.empty())
    throw std::runtime_error("no PostgreSQL: see tests/postgres/postgres_env.hpp");
  {
    postgres::Connection c(server);
    c.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
  }
  return server + (server.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
         schema;
}

inline std::vector<Backend> backends() {
  return {
      {"PostgreSQL",
       [](const std::filesystem::path& dir) { return open_database(postgres_url(dir), 4); },
       postgres_url},
  };
}
#else
inline std::vector<Backend> backends() {
  // The same tests run on PostgreSQL in build/tests/postgres_contract (ONSHI_CONTRACT_POSTGRES).
  return {
      {"SQLite", [](const std::filesystem::path& dir) { return open_database(sqlite_url(dir), 4); },
       sqlite_url},
  };
}
#endif

// What GoogleTest prints for a parameter.
inline void PrintTo(const Backend& backend, std::ostream* os) {
  *os << backend.name;
}

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param.name;
}

// The fingerprint of an audit entry as `onshi audit verify` recomputes it (app/audit.cpp).
inline std::string audit_hash(const AuditRecord& e) {
  std::string text = e.prev_hash;
  text.append("\n").append(std::to_string(e.at)).append("\n").append(e.actor).append("\n");
  text.append(e.action).append("\n").append(e.subject).append("\n").append(e.detail);
  return util::sha256_hex(text);
}

// Runs `work(0) … work(n - 1)` on n threads released together; what any of them threw, as text.
inline std::vector<std::string> run_together(int n, const std::function<void(int)>& work) {
  std::latch start(n);
  std::mutex m;
  std::vector<std::string> failures;
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      try {
        work(i);
      } catch (const std::exception& e) {
        std::lock_guard lock(m);
        failures.emplace_back(e.what());
      } catch (...) {
        std::lock_guard lock(m);
        failures.emplace_back("an exception that is no std::exception");
      }
    });
  }
  for (auto& t : threads) t.join();
  return failures;
}

class StoreContract : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           std::string("onshi-contract-").append(util::random_token(9));
    std::filesystem::create_directories(dir_);
    db_ = GetParam().open(dir_);
    ASSERT_TRUE(db_);
    ASSERT_GT(db_->migrate(), 0);
  }
  void TearDown() override {
    db_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  Database& db() { return *db_; }
  // The URL of db() (see Backend::url), for tests that open it again another way.
  std::string database_url() const { return GetParam().url(dir_); }
  // Rows of `sql` run behind the repositories' back (see Backend::url).
  std::vector<std::vector<std::string>> raw_rows(const std::string& sql) {
    const RawResult r = raw_sql(GetParam().url(dir_), sql);
    EXPECT_TRUE(r.ok) << r.error;
    return r.rows;
  }

  Id institution(const std::string& code, const std::string& name = "テスト医院") {
    return db().write(
        [&](WriteTx& tx) { return tx.accounts().insert_institution(code, name, 1000); });
  }

  static Account account_record(Id institution_id, const std::string& email) {
    Account a;
    a.institution_id = institution_id;
    a.email = email;
    a.email_key = email;
    a.password_hash = "hash";
    a.created_at = 1000;
    return a;
  }
  Id account(Id institution_id, const std::string& email) {
    return db().write([&](WriteTx& tx) {
      return tx.accounts().insert_account(account_record(institution_id, email));
    });
  }

  // A first usage application (version 1).
  static UsageApplicationRecord usage_record(Id institution_id, Id account_id,
                                             const std::string& key) {
    UsageApplicationRecord u;
    u.institution_id = institution_id;
    u.account_id = account_id;
    u.line_type = "flets_next_east";
    u.customer_id = "CAF1234567890";
    u.start_date = "2026-12-20";
    u.terminals = 2;
    u.vendor_name = "ベンダ株式会社";
    u.vendor_contact = "担当 一郎";
    u.vendor_phone = "0312345678";
    u.idempotency_key = key;
    u.finalized_at = 2000;
    return u;
  }

  static CertificateApplicationRecord certificate_application_record(Id institution_id,
                                                                     Id account_id, Id usage_id,
                                                                     const std::string& key) {
    CertificateApplicationRecord a;
    a.institution_id = institution_id;
    a.account_id = account_id;
    a.usage_application_id = usage_id;
    a.classification = "2";
    a.prefecture = 13;
    a.municipality_code = "131024";
    a.institution_code = "1310123455";
    a.institution_name = "テスト医院";
    a.department = "事務";
    a.contact_name = "山田 花子";
    a.phone = "0312345678";
    a.email = "a@example.jp";
    a.signature_name = "山田 太郎";
    a.postal_code = "1040061";
    a.address_line = "銀座1-2-3";
    a.certificates = 2;
    a.fee_per_certificate = 1500;
    a.tax_rate_percent = 10;
    a.subtotal_yen = 3000;
    a.tax_yen = 300;
    a.total_yen = 3300;
    a.applied_on = "2026-12-01";
    a.expected_notice_on = "2026-12-08";
    a.status = st("applied");
    a.idempotency_key = key;
    a.applied_at = 3000;
    a.updated_at = 3000;
    return a;
  }

  static Operator operator_record(const std::string& login, const std::string& role = "reviewer") {
    Operator o;
    o.login = login;
    o.display_name = "審査 太郎";
    o.role = domain::parse_role(role).value();
    o.password_hash = "hash";
    o.totp_secret = "JBSWY3DPEHPK3PXP";
    o.created_at = 1000;
    return o;
  }

  static CertificateRecord certificate_record(Id institution_id, Id application_id,
                                              const std::string& serial,
                                              const std::string& issuance_number) {
    CertificateRecord c;
    c.institution_id = institution_id;
    c.application_id = application_id;
    c.issuance_number = issuance_number;
    c.terminal = "T01";
    c.serial_hex = serial;
    c.subject = "CN=T01";
    c.not_before = 4000;
    c.not_after = 5000;
    c.der = std::string("\x30\x00\x82\xff", 4);  // bytes, a NUL among them
    c.spki_sha256 = std::string("spki-").append(serial);
    c.key_source = KeySource::csr;
    c.status = domain::CertificateState::issued;
    c.pickup_code_hash = "pickup";
    c.pickup_expires_at = 6000;
    c.issued_at = 4000;
    return c;
  }

  // An institution with an account, its first usage application and an applied certificate
  // application.
  struct Clinic {
    Id institution = 0;
    Id account = 0;
    UsageApplicationRecord usage;
    CertificateApplicationRecord application;
  };
  Clinic clinic(const std::string& code, const std::string& email) {
    Clinic c;
    c.institution = institution(code);
    c.account = account(c.institution, email);
    c.usage = db().write([&](WriteTx& tx) {
      return tx.usage_applications().insert_usage_application(
          usage_record(c.institution, c.account, "usage-key"));
    });
    c.application = db().write([&](WriteTx& tx) {
      return tx.certificate_applications().insert_certificate_application(
          certificate_application_record(c.institution, c.account, c.usage.id, "cert-key"));
    });
    return c;
  }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<Database> db_;
};

}  // namespace onshi::store::contract
