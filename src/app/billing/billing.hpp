#pragma once
// 発行料 after the charges (charges.hpp): the monthly close that bills them once, the files it
// leaves (one 請求書 PDF per institution paying by transfer, one CSV of deductions for the fund's
// payment system), the transfers operators record, and what マイページ lists.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/core/services.hpp"
#include "app/office/operators.hpp"

namespace onshi::app {

// "2026-11" (a full-width form is taken too), a month between 2019-10 and 2099-12.
std::optional<std::chrono::year_month> parse_billing_month(std::string_view typed);

struct BillingClose {
  store::BillingCloseRecord close;             // with its CSV
  std::vector<store::InvoiceRecord> invoices;  // by number, without their PDF
  std::vector<std::string> institution_names;  // each invoice's addressee, in the same order
  bool repeated = false;                       // the month was closed before: nothing was done
};

// 月次締め of `month` (Permission::billing): every charge of that month or before not billed yet,
// once. Those paid by transfer get one invoice per institution (PDF, and a mail that it is ready
// on マイページ), those deducted one CSV row per institution; all in one transaction with the
// close's unique row and its audit record. A month closed before gives back its close as it was
// (repeated, no mail). Fails forbidden review.forbidden, invalid billing.bad_month (`month` is
// the field), conflict billing.month_not_over (the month has not ended in Japan),
// billing.after_later_close (a later month is closed already) or billing.not_configured (an
// invoice is due but billing.registration_number or billing.bank_account is not set).
Result<BillingClose> close_billing_month(const Services& s, const Actor& who,
                                         std::string_view month);

// A month's close as it was made, or nothing.
std::optional<BillingClose> find_billing_close(const Services& s, std::string_view month);
// Newest month first, without their files.
std::vector<store::BillingCloseRecord> billing_closes(const Services& s);

struct BillingFile {
  std::string name;  // deduction-2026-11.csv, invoice-202611-1310123455.pdf
  std::string bytes;
};
// The close's files, the same bytes every time.
std::vector<BillingFile> billing_files(const Services& s, const BillingClose& c);

// An invoice with its PDF: any (the back office), or only the institution's own (マイページ).
std::optional<store::InvoiceRecord> find_invoice(const Services& s, std::string_view number);
std::optional<store::InvoiceRecord> find_own_invoice(const Services& s, store::Id institution_id,
                                                     std::string_view number);

// 入金の記録 (Permission::billing): a transfer received against an invoice, audited. Fails
// forbidden, not_found billing.no_such_invoice, or invalid with amount (1 yen to 10 billion) and
// received_on (a date, not in the future, not before the invoice) beside their fields.
Result<store::InvoicePaymentRecord> record_payment(const Services& s, const Actor& who,
                                                   std::string_view invoice_number,
                                                   std::string_view amount,
                                                   std::string_view received_on);

struct InstitutionBilling {
  std::vector<store::ChargeRecord> charges;    // newest first
  std::vector<store::InvoiceRecord> invoices;  // newest first, without their PDF
};
InstitutionBilling billing_of_institution(const Services& s, store::Id institution_id);

}  // namespace onshi::app
