// Login (issue 20): the app-level use case end to end (throttle claim, Argon2id verification,
// session and audit rows, on SQLite in a temporary folder) beside crypto_pwhash_str alone with
// the limits util::hash_password uses. The ratio of the two (bench/ratios.toml) says how much of a
// login is anything but the hash. Real time: the database work includes the file system.
#include <benchmark/benchmark.h>
#include <sodium.h>

#include <cstring>

#include "app/accounts/accounts.hpp"
#include "app_test_env.hpp"
#include "clinic_fixture.hpp"
#include "util/secrets.hpp"

namespace {

using namespace onshi;

void BM_CryptoPwhashStr(benchmark::State& state) {
  if (sodium_init() < 0) {
    state.SkipWithError("sodium_init");
    return;
  }
  const auto limits = util::password_hash_limits();
  const char* password = test::kClinicPassword;
  char out[crypto_pwhash_STRBYTES];
  for (auto _ : state) {
    if (crypto_pwhash_str(out, password, std::strlen(password), limits.opslimit, limits.memlimit) !=
        0) {
      state.SkipWithError("crypto_pwhash_str: out of memory");
      return;
    }
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["memlimit_mib"] = static_cast<double>(limits.memlimit) / (1024.0 * 1024.0);
  state.counters["opslimit"] = static_cast<double>(limits.opslimit);
}
BENCHMARK(BM_CryptoPwhashStr)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Login(benchmark::State& state) {
  test::TestEnv env;
  test::logged_in_clinic(env.services);  // the seeded account (and one login already)
  for (auto _ : state) {
    auto r = app::login(env.services, test::kClinicEmail, test::kClinicPassword, {});
    if (!r) {
      state.SkipWithError("login refused");
      return;
    }
    benchmark::DoNotOptimize(r->session_token);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Login)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
