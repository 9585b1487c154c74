#pragma once
// The close's documents from its figures: the 請求書 (letters/receipt.hpp's one-page table, set
// with cairo/pango) and the deduction CSV. Internal to app/billing.
#include <string>
#include <vector>

#include "app/core/services.hpp"
#include "domain/bill_totals.hpp"

namespace onshi::app {

// One institution's bill of the close.
struct BillDraft {
  store::Institution institution;
  std::vector<store::ChargeRecord> charges;  // by id
  domain::BillTotals totals;
};

BillDraft bill_of(store::Institution institution, std::vector<store::ChargeRecord> charges);

// UTF-8 with a byte order mark and CRLF line ends, as Japanese accounting tools read it: a header,
// then one row per institution (code, name, items, 税込 amount), fields quoted as RFC 4180 says.
std::string deduction_csv(const Services& s, const std::vector<BillDraft>& bills);

struct InvoiceHeader {
  std::string number;
  std::string month;      // YYYY-MM
  std::string issued_on;  // YYYY-MM-DD
  std::string due_on;
};
std::string invoice_pdf(const Services& s, const InvoiceHeader& h, const BillDraft& bill);

}  // namespace onshi::app
