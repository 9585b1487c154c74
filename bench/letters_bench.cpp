// The PDF documents (letters/): one notice letter, a print batch of them, and the receipt. Each
// PDF is made whole, fonts subset to its characters (letters/font_subset) and embedded, as the
// back office and the portal make them. The letters are the unit tests' samples
// (tests/unit/letters/sample_documents.hpp): two certificates each, one page.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "letters/notice_letter.hpp"
#include "letters/receipt.hpp"
#include "unit/letters/sample_documents.hpp"

namespace {

using onshi::letters::NoticeLetter;
using onshi::letters::render_notice_letters_pdf;
using onshi::letters::render_receipt_pdf;
using Clock = std::chrono::steady_clock;

// Letter `i` of a batch: its own application number, codes and addressee, so that a batch
// carries the spread of kanji a month of applications from all over Japan does.
NoticeLetter batch_letter(int i) {
  static constexpr std::array<const char*, 6> kAddresses = {
      "北海道札幌市中央区北一条西二丁目1番地 札幌医療ビル3階",
      "宮城県仙台市青葉区国分町三丁目7番1号",
      "愛知県名古屋市中区栄四丁目1番8号 栄メディカルプラザ",
      "大阪府大阪市北区梅田一丁目3番1号 大阪駅前第1ビル",
      "福岡県福岡市博多区博多駅前二丁目19番24号",
      "沖縄県那覇市久茂地一丁目1番1号",
  };
  static constexpr std::array<const char*, 6> kNames = {
      "医療法人社団北辰会 すずらん内科クリニック",
      "青葉台こども診療所",
      "医療法人 栄歯科医院",
      "梅田さくら薬局",
      "社会医療法人 博多中央病院",
      "那覇みなと眼科",
  };
  char number[32];
  std::snprintf(number, sizeof number, "C-%08d", 1000 + i);
  NoticeLetter letter = onshi::letters::test::sample_letter(number, 2);
  const auto k = static_cast<std::size_t>(i) % kAddresses.size();
  letter.address_lines[1] = kAddresses[k];
  letter.address_lines[2] = kNames[(k * 5 + static_cast<std::size_t>(i) / 6) % kNames.size()];
  letter.facts[2].value = letter.address_lines[2];
  return letter;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// One letter, alone in its PDF: the fonts subset and the layout prepared for it alone.
double one_letter_seconds() {
  const std::vector<NoticeLetter> one{batch_letter(0)};
  std::vector<double> runs;
  for (int i = 0; i < 5; ++i) {
    const auto start = Clock::now();
    benchmark::DoNotOptimize(render_notice_letters_pdf(one));
    runs.push_back(seconds_since(start));
  }
  std::ranges::sort(runs);
  return runs[runs.size() / 2];
}

void BM_RenderNoticeLetter(benchmark::State& state) {
  const std::vector<NoticeLetter> one{batch_letter(0)};
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string pdf = render_notice_letters_pdf(one);
    bytes = pdf.size();
    benchmark::DoNotOptimize(pdf.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["pdf_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_RenderNoticeLetter)->Unit(benchmark::kMillisecond)->UseRealTime();

// A print batch of N letters in one PDF, against one letter rendered alone in the same process
// just before: vs_single = (batch time / N) / one letter's time, the "≤ 1.2".
void BM_RenderNoticeLetterBatch(benchmark::State& state) {
  const auto n = static_cast<int>(state.range(0));
  std::vector<NoticeLetter> batch;
  for (int i = 0; i < n; ++i) batch.push_back(batch_letter(i));
  const double single = one_letter_seconds();
  double batch_seconds = 0;
  std::size_t bytes = 0;
  for (auto _ : state) {
    const auto start = Clock::now();
    const std::string pdf = render_notice_letters_pdf(batch);
    batch_seconds += seconds_since(start);
    bytes = pdf.size();
    benchmark::DoNotOptimize(pdf.data());
  }
  const double iterations = static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["vs_single"] = batch_seconds / iterations / n / single;
  state.counters["single_ms"] = single * 1e3;
  state.counters["pdf_bytes"] = static_cast<double>(bytes);
  state.counters["bytes_per_letter"] = static_cast<double>(bytes) / n;
}
BENCHMARK(BM_RenderNoticeLetterBatch)->Arg(50)->Unit(benchmark::kMillisecond)->UseRealTime();
// A month's print run at once: a minute or so, so measured once even in scripts/bench's repeated
// runs.
BENCHMARK(BM_RenderNoticeLetterBatch)
    ->Arg(1000)
    ->Iterations(1)
    ->Repetitions(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The receipt (申請受付票); the invoice is the same one-page document with more rows.
void BM_RenderReceipt(benchmark::State& state) {
  const auto receipt = onshi::letters::test::sample_receipt();
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string pdf = render_receipt_pdf(receipt);
    bytes = pdf.size();
    benchmark::DoNotOptimize(pdf.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["pdf_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_RenderReceipt)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
