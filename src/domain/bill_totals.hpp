#pragma once
// The totals of one bill (a 請求書 or a deduction row) over its items, each a certificate's fee
// at its own tax rate: 税抜 summed per rate, 消費税 = floor(税抜 x rate / 100) once per rate (the
// 適格請求書 rule: one rounding per document and rate), 税込 = 税抜 + 消費税 (docs/domain.md).
#include <cstdint>
#include <span>
#include <vector>

namespace onshi::domain {

struct BillItem {
  std::int64_t fee_yen = 0;  // 税抜
  int tax_rate_percent = 0;
};

struct TaxRateTotal {
  int tax_rate_percent = 0;
  int items = 0;
  std::int64_t subtotal_yen = 0;
  std::int64_t tax_yen = 0;
};

struct BillTotals {
  std::vector<TaxRateTotal> by_rate;  // highest rate first
  int items = 0;
  std::int64_t subtotal_yen = 0;
  std::int64_t tax_yen = 0;
  std::int64_t total_yen = 0;
};

BillTotals bill_totals(std::span<const BillItem> items);

}  // namespace onshi::domain
