// The use cases an operator waits for, on the unit tests' environment (tests/unit/app/: a real
// SQLite file in a temporary folder, a real CA, the real templates and messages): 発行 of a whole
// application and the audit chain check of /admin/audit (the PDFs: letters_bench.cpp). Real time,
// since the database work includes the file system. 発行 runs on PostgreSQL too when
// ONSHI_BENCH_POSTGRES_URL names a server (BM_IssueApplication/postgresql, in a schema of its own).
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>

#include "app/ca/certificate_authority.hpp"
#include "app/ca/issuance.hpp"
#include "app/core/audit.hpp"
#include "app/office/notice_letters.hpp"
#include "app/office/review.hpp"
#include "app_test_env.hpp"
#include "clinic_fixture.hpp"
#include "pki/authority.hpp"
#include "pki_test_support.hpp"
#include "store/raw_access.hpp"
#include "util/secrets.hpp"

namespace {

using namespace onshi;
using namespace std::chrono;

// A new schema on the PostgreSQL server at `server` and the URL whose search_path is that schema,
// dropped with its tables at the end so that runs neither meet nor pile up. Empty for SQLite.
struct PostgresSchema {
  std::string server, name, url;

  PostgresSchema() = default;
  explicit PostgresSchema(std::string server_url) : server(std::move(server_url)) {
    name = "onshi_bench_";
    for (const char c : util::random_token(9)) {
      name.push_back(std::isalnum(static_cast<unsigned char>(c))
                         ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                         : '_');
    }
    if (const auto r = store::raw_sql(server, "CREATE SCHEMA " + name); !r.ok)
      throw std::runtime_error("CREATE SCHEMA: " + r.error);
    url = server + (server.find('?') == std::string::npos ? "?" : "&") +
          "options=-csearch_path%3D" + name;
  }
  ~PostgresSchema() {
    if (!name.empty()) store::raw_sql(server, "DROP SCHEMA " + name + " CASCADE");
  }
  PostgresSchema(const PostgresSchema&) = delete;
  PostgresSchema& operator=(const PostgresSchema&) = delete;
};

// The back office of back_office_test.cpp, made once per engine: a CA, the clinic with its usage
// application, a reviewer who approves and an issuer who issues (separate_issuer). An empty
// `postgres_server` is SQLite, as in the unit tests.
struct BackOffice {
  PostgresSchema schema;  // before env: dropped after env's database is closed
  test::TestEnv env;
  std::unique_ptr<app::CertificateAuthority> ca;
  app::SessionUser clinic;
  app::Actor reviewer, issuer;

  explicit BackOffice(const std::string& postgres_server = {})
      : schema(postgres_server.empty() ? PostgresSchema() : PostgresSchema(postgres_server)),
        env(schema.url) {
    env.clock.set(sys_days{2026y / November / 24d} + hours{1});
    const auto pass = env.dir.path() / "ca-passphrase";
    std::ofstream(pass) << "bench passphrase\n";
    env.config.ca_passphrase_file = pass.string();
    pki::init_ca(app::key_store_config(env.config), app::ca_settings(env.config), env.clock.now());
    ca = app::CertificateAuthority::open(env.config);
    env.services.ca = ca.get();
    clinic = test::logged_in_clinic(env.services);
    if (!app::finalize_usage_application(env.services, clinic, test::usage_form())) {
      throw std::runtime_error("usage application");
    }
    reviewer = make_operator("rev", "reviewer");
    issuer = make_operator("iss", "issuer");
  }
  app::Actor make_operator(const std::string& login, const std::string& role) {
    if (!app::create_operator(env.services, {login, login, role, "operator password 2026"})) {
      throw std::runtime_error("create_operator");
    }
    return *app::cli_actor(env.services, login);
  }
  // A `count`-certificate application, submitted by the clinic and approved by the reviewer.
  std::string approved_application(int count = 2) {
    const auto form =
        test::certificate_form(std::to_string(count), "bench-" + std::to_string(++submitted_));
    auto submitted = app::submit_certificate_application(env.services, clinic, form);
    if (!submitted) throw std::runtime_error("submit_certificate_application");
    const auto number = submitted->application.number;
    if (!app::decide(env.services, reviewer, number, app::Decision::approve, "")) {
      throw std::runtime_error("decide");
    }
    return number;
  }
  int submitted_ = 0;
};

// 発行 of one approved 2-certificate application, end to end: two keys generated and sealed,
// two certificates signed and stored with their audit rows, the notice letter row and the
// clinic's mail, in one write transaction. The applications are approved before the timed loop,
// one per iteration, so the iteration count is fixed.
constexpr int kApplications = 60;
void issue_applications(benchmark::State& state, BackOffice& office) {
  std::vector<std::string> numbers;
  for (int i = 0; i < kApplications; ++i) numbers.push_back(office.approved_application());
  std::size_t next = 0;
  for (auto _ : state) {
    if (!app::issue_application(office.env.services, office.issuer, numbers.at(next++))) {
      state.SkipWithError("issue_application failed");
    }
  }
  state.SetItemsProcessed(state.iterations() * 2);  // certificates
}
void BM_IssueApplication(benchmark::State& state) {
  static BackOffice office;
  issue_applications(state, office);
}
BENCHMARK(BM_IssueApplication)
    ->Iterations(kApplications)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// 発行 of the largest application (99 certificates) from the vendors' CSRs, committed durably
// (issue 20's row against the signing limit): 99 CSRs checked, 99 certificates signed outside
// the transactions, then stored with their reservations, charges, audit rows, the letter row and
// the mail. Each application's keys are new P-256 keys, made before the timed loop like the
// applications (a key certified before is refused).
constexpr int kLargeApplication = 99;
constexpr int kLargeApplications = 20;
void issue_csr_applications(benchmark::State& state, BackOffice& office) {
  struct Approved {
    std::string number;
    std::map<int, std::string> csrs;
  };
  std::vector<Approved> approved;
  for (int i = 0; i < kLargeApplications; ++i) {
    Approved a{office.approved_application(kLargeApplication), {}};
    for (int c = 1; c <= kLargeApplication; ++c) {
      a.csrs.emplace(c, pki::test::make_csr_pem(pki::test::ec_key("P-256").get()));
    }
    approved.push_back(std::move(a));
  }
  std::size_t next = 0;
  for (auto _ : state) {
    const auto& a = approved.at(next++);
    const auto issued =
        app::issue_application(office.env.services, office.issuer, a.number, a.csrs);
    if (!issued || issued->size() != static_cast<std::size_t>(kLargeApplication)) {
      state.SkipWithError("issue_application failed");
    }
  }
  state.SetItemsProcessed(state.iterations() * kLargeApplication);  // certificates
}
[[maybe_unused]] const bool large_registered = [] {
  benchmark::RegisterBenchmark("BM_IssueApplication/99",
                               [](benchmark::State& state) {
                                 static BackOffice office;
                                 issue_csr_applications(state, office);
                               })
      ->Iterations(kLargeApplications)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  return true;
}();

// The same on PostgreSQL (./scripts/bench starts a throw-away cluster and sets the variable).
[[maybe_unused]] const bool postgres_registered = [] {
  const char* server = std::getenv("ONSHI_BENCH_POSTGRES_URL");
  if (!server || !*server) return false;
  benchmark::RegisterBenchmark("BM_IssueApplication/postgresql",
                               [url = std::string(server)](benchmark::State& state) {
                                 static BackOffice office(url);
                                 issue_applications(state, office);
                               })
      ->Iterations(kApplications)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("BM_IssueApplication/99/postgresql",
                               [url = std::string(server)](benchmark::State& state) {
                                 static BackOffice office(url);
                                 issue_csr_applications(state, office);
                               })
      ->Iterations(kLargeApplications)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  return true;
}();

// verify_audit_log re-reads and re-hashes the whole chain; /admin/audit runs it on every view.
// The log is filled once per size through Tx::append_audit in one write transaction, with
// entries shaped like the real ones (a certificate.issue detail is the longest).
test::TestEnv& audit_env(std::int64_t entries) {
  static std::map<std::int64_t, std::unique_ptr<test::TestEnv>> envs;
  auto& env = envs[entries];
  if (env) return *env;
  env = std::make_unique<test::TestEnv>();
  env->db->write([&](store::WriteTx& tx) {
    for (std::int64_t i = 0; i < entries; ++i) {
      const std::string number = fmt::format("C-{:08d}", i / 3 + 1);
      const std::string detail = fmt::format(
          R"({{"application":"{}","serial":"3f9a{:028x}","terminal":"T01","key_source":"generated",)"
          R"("subject":"serialNumber={}-01,CN=1310123455-T01,OU=1310123455,O=テストクリニック,C=JP"}})",
          number, i, number);
      tx.audit().append_audit(
          {"operator:2", i % 3 == 0 ? "application.approve" : "certificate.issue", number, detail},
          env->services.now_ms() + i * 1000);
    }
  });
  return *env;
}
void BM_VerifyAuditLog(benchmark::State& state) {
  const auto& env = audit_env(state.range(0));
  for (auto _ : state) {
    const auto v = app::verify_audit_log(env.services);
    if (!v.ok || v.entries != state.range(0)) state.SkipWithError("the chain did not verify");
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));  // entries
}
BENCHMARK(BM_VerifyAuditLog)
    ->Arg(1'000)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
