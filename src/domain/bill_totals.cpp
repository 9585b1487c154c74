#include "domain/bill_totals.hpp"

#include <functional>
#include <map>

namespace onshi::domain {

BillTotals bill_totals(std::span<const BillItem> items) {
  std::map<int, TaxRateTotal, std::greater<>> rates;
  for (const auto& i : items) {
    auto& r = rates[i.tax_rate_percent];
    r.tax_rate_percent = i.tax_rate_percent;
    ++r.items;
    r.subtotal_yen += i.fee_yen;
  }
  BillTotals t;
  for (auto& [rate, r] : rates) {
    // Fees and rates are never negative (the schedule refuses them), so / rounds down.
    r.tax_yen = r.subtotal_yen * rate / 100;
    t.items += r.items;
    t.subtotal_yen += r.subtotal_yen;
    t.tax_yen += r.tax_yen;
    t.by_rate.push_back(r);
  }
  t.total_yen = t.subtotal_yen + t.tax_yen;
  return t;
}

}  // namespace onshi::domain
