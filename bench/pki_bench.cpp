// The CA's primitives, each on its own: how fast one issuing CA signs, makes keys and checks CSRs.
// The CA is a real one in a temporary folder (encrypted PKCS#8 file keys), set up once like the
// pki unit tests do (tests/unit/pki/pki_test_support.hpp).
#include <benchmark/benchmark.h>

#include "pki/csr.hpp"
#include "pki/serial.hpp"
#include "pki_test_support.hpp"

namespace {

using namespace onshi::pki;
using namespace onshi::pki::test;

// init_ca runs scrypt over the CA keys' passphrase, so the CA is made once for all benchmarks.
struct Ca {
  TempDir dir;
  IssuingCa* ca = nullptr;
  Ca() {
    init_ca(file_store(dir.path()), CaSettings{}, day(2025, 1, 10));
    ca = IssuingCa::open(file_store(dir.path())).release();
  }
  ~Ca() { delete ca; }
};
IssuingCa& issuing_ca() {
  static Ca ca;
  return *ca.ca;
}

// Signing one terminal certificate (CPIPCS 7.1.1) for a P-256 key, serial drawn as issuance does:
// the part of 発行 done inside the write transaction.
void BM_IssueTerminalCertificate(benchmark::State& state) {
  IssuingCa& ca = issuing_ca();
  const std::string spki = spki_der(ec_key("P-256").get());
  const TerminalProfile profile = sample_profile();
  const TerminalSubject subject = sample_subject();
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        ca.issue(subject, spki, profile, random_serial_hex(), day(2025, 4, 1)));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IssueTerminalCertificate);

// A key made by the CA for PKCS#12 delivery, sealed for the database: done before the
// transaction, once per terminal without a CSR. The profile's default algorithm (P-256).
void BM_GenerateTerminalKey(benchmark::State& state) {
  IssuingCa& ca = issuing_ca();
  const KeyAlgorithm algorithm = TerminalProfile{}.generated_key;
  for (auto _ : state) benchmark::DoNotOptimize(ca.generate_terminal_key(algorithm));
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(key_algorithm_name(algorithm)));
}
BENCHMARK(BM_GenerateTerminalKey);

// A vendor's CSR (PEM): parse, proof of possession, key policy. P-256 and RSA 2048, the two
// keys vendors send most.
void BM_CheckCsr(benchmark::State& state, const char* key_type) {
  const Pkey key = std::string_view(key_type) == "rsa-2048" ? rsa_key(2048) : ec_key("P-256");
  const std::string csr = make_csr_pem(key.get());
  if (!check_csr(csr)) state.SkipWithError("the CSR was refused");
  for (auto _ : state) benchmark::DoNotOptimize(check_csr(csr));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_CheckCsr, ec_p256, "ec-p256");
BENCHMARK_CAPTURE(BM_CheckCsr, rsa_2048, "rsa-2048");

}  // namespace
