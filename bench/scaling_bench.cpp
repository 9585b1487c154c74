// How the rows of the ratio table grow with the database (issue 20: 10^3 to 10^6 certificates,
// none worse than logarithmically where an index should serve it). One SQLite database on the
// unit tests' environment grows from one size to the next: certificates of another institution,
// stored through the store API (every tenth revoked), beside the bench clinic's own 2-certificate
// application. At each size: the OCSP answer for the clinic's certificate (pre-produced, so a
// lookup by serial), the clinic's マイページ (app::my_page, which reads by institution) and 発行
// of one more 2-certificate application (inserts into every index of the certificates table).
// Registered size by size, so that the database only grows. Real time.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <fstream>

#include "app/applications/my_page.hpp"
#include "app/ca/certificate_authority.hpp"
#include "app/ca/issuance.hpp"
#include "app/ca/ocsp_responder.hpp"
#include "app/office/review.hpp"
#include "app_test_env.hpp"
#include "clinic_fixture.hpp"
#include "ocsp_request.hpp"
#include "pki/authority.hpp"
#include "pki/issuing_ca.hpp"
#include "util/secrets.hpp"

namespace {

using namespace onshi;
using namespace std::chrono;

struct Growing {
  test::TestEnv env;
  std::unique_ptr<app::CertificateAuthority> ca;
  app::SessionUser clinic;
  // 発行's applications go to a second clinic, so that the first one's マイページ stays the same
  // from size to size and only the other institution's certificates grow.
  app::SessionUser issuing_clinic;
  app::Actor reviewer, issuer;
  std::string request;  // OCSP, for the clinic's first certificate
  store::CertificateRecord model;
  store::Id other_institution = 0;
  int stored = 0;  // certificates of the other institution
  int submitted = 0;

  Growing() {
    env.clock.set(sys_days{2026y / November / 24d} + hours{1});
    const auto pass = env.dir.path() / "ca-passphrase";
    std::ofstream(pass) << "bench passphrase\n";
    env.config.ca_passphrase_file = pass.string();
    pki::init_ca(app::key_store_config(env.config), app::ca_settings(env.config), env.clock.now());
    ca = app::CertificateAuthority::open(env.config);
    env.services.ca = ca.get();
    clinic = test::logged_in_clinic(env.services);
    if (!app::finalize_usage_application(env.services, clinic, test::usage_form()))
      throw std::runtime_error("usage application");
    issuing_clinic = second_clinic();
    reviewer = make_operator("rev", "reviewer");
    issuer = make_operator("iss", "issuer");
    const auto number = approved_application(clinic);
    if (!app::issue_application(env.services, issuer, number, {}))
      throw std::runtime_error("issue");
    model = *env.db->read([&](store::ReadTx& tx) {
      return tx.certificates().find_current_certificate(number + "-01");
    });
    if (app::renew_ocsp_responders(env.services) != 1 ||
        app::refresh_ocsp_responses(env.services) < 2)
      throw std::runtime_error("OCSP responses");
    request = bench::ocsp_request(pki::ocsp_issuers(ca->issuing()).front(), model.serial_hex);
    other_institution = env.db->write([&](store::WriteTx& tx) {
      return tx.accounts().insert_institution("1319999995", "ほかの医院", env.services.now_ms());
    });
  }
  app::Actor make_operator(const std::string& login, const std::string& role) {
    if (!app::create_operator(env.services, {login, login, role, "operator password 2026"}))
      throw std::runtime_error("create_operator");
    return *app::cli_actor(env.services, login);
  }
  app::SessionUser second_clinic() {
    constexpr const char* kEmail = "second@clinic.example.jp";
    constexpr const char* kPassword =
        "scaling bench passphrase 2026";  // nothing of the e-mail in it
    const auto created = app::create_verified_account(
        env.services, {kEmail, "1310123463", "第二クリニック", kPassword});
    if (!created) {
      std::string why = created.error().key;
      for (const auto& f : created.error().fields) why += " " + f.field + ": " + f.key;
      throw std::runtime_error("create_verified_account: " + why);
    }
    auto token = app::login(env.services, kEmail, kPassword);
    if (!token) throw std::runtime_error("login");
    auto user = app::resolve_session(env.services, token->session_token);
    if (!user) throw std::runtime_error("resolve_session");
    if (!app::finalize_usage_application(env.services, *user, test::usage_form()))
      throw std::runtime_error("usage application");
    return *user;
  }
  std::string approved_application(const app::SessionUser& who) {
    auto form = test::certificate_form("2", "scale-" + std::to_string(++submitted));
    form.institution_code = who.institution.code;
    form.institution_name = who.institution.name;
    form.email = who.account.email;
    auto done = app::submit_certificate_application(env.services, who, form);
    if (!done) throw std::runtime_error("submit_certificate_application");
    if (!app::decide(env.services, reviewer, done->application.number, app::Decision::approve, ""))
      throw std::runtime_error("decide");
    return done->application.number;
  }
  // Copies of the model under new serials and 発行番号, owned by the other institution, in
  // transactions of 10,000, until `size` are stored.
  void grow_to(int size) {
    static constexpr int kBatch = 10'000;
    while (stored < size) {
      const int n = std::min(kBatch, size - stored);
      env.db->write([&](store::WriteTx& tx) {
        auto& certs = tx.certificates();
        for (int i = stored; i < stored + n; ++i) {
          store::CertificateRecord c = model;
          std::string serial = util::sha256_hex(util::random_bytes(16)).substr(0, 32);
          serial[0] = "1234567"[static_cast<unsigned char>(serial[0]) % 7];
          c.serial_hex = c.spki_sha256 = serial;
          c.institution_id = other_institution;
          c.issuance_number = fmt::format("S-{:08}-01", i + 1);
          c.sealed_key.reset();
          c.sealed_pickup_code.reset();
          if (!certs.try_insert_certificate(c)) throw std::runtime_error("a serial twice");
          if (i % 10 == 0) {
            const auto id = certs.find_certificate_by_serial(serial)->id;
            certs.revoke_certificate(id, 4, env.services.now_ms(), std::nullopt);
          }
        }
      });
      stored += n;
    }
  }
};

Growing& growing() {
  static Growing g;
  return g;
}

void ocsp(benchmark::State& state) {
  auto& g = growing();
  g.grow_to(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    const auto reply = app::answer_ocsp(g.env.services, g.request);
    if (reply.outcome != app::OcspOutcome::good) state.SkipWithError("not good");
    benchmark::DoNotOptimize(reply.der.data());
  }
  state.SetItemsProcessed(state.iterations());
}

void my_page(benchmark::State& state) {
  auto& g = growing();
  g.grow_to(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    const auto page = app::my_page(g.env.services, g.clinic.institution.id);
    if (page.certificates.empty()) state.SkipWithError("no certificates");
    benchmark::DoNotOptimize(page.certificates.data());
  }
  state.SetItemsProcessed(state.iterations());
}

// The applications are approved before the timed loop, one per iteration.
constexpr int kIssues = 20;
void issue(benchmark::State& state) {
  auto& g = growing();
  g.grow_to(static_cast<int>(state.range(0)));
  std::vector<std::string> numbers;
  for (int i = 0; i < kIssues; ++i) numbers.push_back(g.approved_application(g.issuing_clinic));
  std::size_t next = 0;
  for (auto _ : state) {
    if (!app::issue_application(g.env.services, g.issuer, numbers.at(next++), {}))
      state.SkipWithError("issue_application failed");
  }
  state.SetItemsProcessed(state.iterations() * 2);  // certificates
}

[[maybe_unused]] const bool registered = [] {
  for (const int size : {1'000, 10'000, 100'000, 1'000'000}) {
    benchmark::RegisterBenchmark("BM_ScaleOcsp", ocsp)->Arg(size)->UseRealTime();
    benchmark::RegisterBenchmark("BM_ScaleMyPage", my_page)->Arg(size)->UseRealTime();
    benchmark::RegisterBenchmark("BM_ScaleIssueApplication", issue)
        ->Arg(size)
        ->Iterations(kIssues)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  return true;
}();

}  // namespace
