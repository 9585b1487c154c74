// CRLs of many entries (issue 16: 1,000,000 entries generated and signed in under 5 s). Two
// views: the encoder and signature alone (pki::CrlBuilder, entries from memory as the store hands
// them over), and the scheduler's whole publication of a full and a delta CRL from a database of
// revoked certificates (app::publish_crls: the reservation, one read of every entry, the two
// signatures, both CRLs stored). Real time.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <map>

#include "app/ca/certificate_authority.hpp"
#include "app/ca/crl_publisher.hpp"
#include "app/ca/issuance.hpp"
#include "app/office/review.hpp"
#include "app_test_env.hpp"
#include "clinic_fixture.hpp"
#include "pki/authority.hpp"
#include "pki/crl.hpp"
#include "pki/issuing_ca.hpp"
#include "pki/serial.hpp"
#include "support/seed_revoked.hpp"

namespace {

using namespace onshi;
using namespace std::chrono;

// A CA and a clinic with one issued certificate, the model every seeded revoked row copies.
struct Revocations {
  test::TestEnv env;
  std::unique_ptr<app::CertificateAuthority> ca;
  std::string model_serial;

  explicit Revocations(int count) {
    env.clock.set(sys_days{2026y / November / 24d} + hours{1});
    const auto pass = env.dir.path() / "ca-passphrase";
    std::ofstream(pass) << "bench passphrase\n";
    env.config.ca_passphrase_file = pass.string();
    env.config.separate_issuer = false;
    pki::init_ca(app::key_store_config(env.config), app::ca_settings(env.config), env.clock.now());
    ca = app::CertificateAuthority::open(env.config);
    env.services.ca = ca.get();
    auto clinic = test::logged_in_clinic(env.services);
    if (!app::finalize_usage_application(env.services, clinic, test::usage_form()))
      throw std::runtime_error("usage application");
    if (!app::create_operator(env.services, {"adm", "adm", "admin", "operator password 2026"}))
      throw std::runtime_error("create_operator");
    const auto admin = *app::cli_actor(env.services, "adm");
    const auto number = app::submit_certificate_application(
                            env.services, clinic, test::certificate_form("1", "bench-crl"))
                            ->application.number;
    if (!app::decide(env.services, admin, number, app::Decision::approve, "") ||
        !app::issue_application(env.services, admin, number, {}))
      throw std::runtime_error("issue");
    model_serial = env.db->read([&](store::ReadTx& tx) {
      return tx.certificates().find_current_certificate(number + "-01")->serial_hex;
    });
    if (test::seed_revoked(*env.db, model_serial, count, env.services.now_ms()) != count)
      throw std::runtime_error("seed_revoked");
  }
};

// The encoder and the signature for `entries` entries of 16-octet serials, reasons in turn and an
// invalidity date on every tenth, as a large terminal population's CRL would hold.
void BM_SignCrl(benchmark::State& state) {
  static test::TempDir dir;
  static const auto cfg = [] {
    pki::KeyStoreConfig k;
    k.dir = dir.path() / "ca";
    k.passphrase = "bench passphrase 2026";
    pki::init_ca(k, {}, system_clock::now());
    return k;
  }();
  static const auto ca = pki::IssuingCa::open(cfg);
  const auto entries = static_cast<std::size_t>(state.range(0));
  std::vector<std::string> serials(entries);
  for (auto& s : serials) s = pki::random_serial_hex();
  const std::string key = ca->generations().front().key_id_hex;
  const auto now = floor<seconds>(system_clock::now());
  static constexpr int kReasons[] = {0, 1, 3, 4, 5};
  std::size_t bytes = 0;
  std::string last_der;
  for (auto _ : state) {
    pki::CrlFields f;
    f.number = 1;
    f.this_update = now;
    f.next_update = now + hours(24);
    f.distribution_point = "https://onshi.example.jp/pki/crl/issuing.crl";
    f.freshest_crl = "https://onshi.example.jp/pki/crl/issuing-delta.crl";
    pki::CrlBuilder b(*ca, key, f);
    b.reserve(entries);
    for (std::size_t i = 0; i < entries; ++i) {
      b.add({serials[i], now - minutes(i % 100'000), kReasons[i % 5],
             i % 10 == 0 ? std::optional(now - hours(48)) : std::nullopt});
    }
    std::string der = b.sign();
    bytes = der.size();
    benchmark::DoNotOptimize(der.data());
    last_der = std::move(der);  // a move, not a copy: kept for the read-back below
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));  // entries
  state.counters["bytes"] = static_cast<double>(bytes);
  // scripts/bench times `openssl crl` reading the largest one back: the limit beside this row.
  if (const char* out = std::getenv("ONSHI_BENCH_CRL_OUT"); out && entries == 1'000'000) {
    std::ofstream(out, std::ios::binary) << last_der;
  }
}
BENCHMARK(BM_SignCrl)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();

// A whole publication from SQLite: the clock moves 12 hours each iteration, so each publishes a
// full CRL of every entry and a delta on the oldest full CRL still valid.
void BM_PublishCrls(benchmark::State& state) {
  static std::map<std::int64_t, std::unique_ptr<Revocations>> made;
  auto& r = made[state.range(0)];
  if (!r) r = std::make_unique<Revocations>(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    r->env.clock.advance(hours(12));
    if (app::publish_crls(r->env.services) != 2) state.SkipWithError("nothing published");
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));  // entries of the full CRL
}
BENCHMARK(BM_PublishCrls)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
