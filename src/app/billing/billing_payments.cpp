// 入金の記録 and what マイページ and the back office read of invoices.
#include <fmt/format.h>

#include "app/billing/billing.hpp"
#include "app/core/form_values.hpp"
#include "app/core/outbox.hpp"
#include "domain/calendar_date.hpp"
#include "util/text.hpp"

namespace onshi::app {
namespace {

// Far above any invoice (99 certificates a month at any fee), well inside int64.
constexpr std::int64_t kMaxPaymentYen = 10'000'000'000;

std::expected<std::int64_t, std::string> amount_of(std::string_view typed) {
  const auto normalized = util::nfkc(typed).text;
  std::string digits;
  for (const char c : util::trim(normalized)) {
    if (c == ',') continue;  // 1,650 as people write it
    if (c < '0' || c > '9') return std::unexpected("payment.amount_invalid");
    digits.push_back(c);
  }
  if (digits.empty()) return std::unexpected("payment.amount_empty");
  if (digits.size() > 11) return std::unexpected("payment.amount_invalid");
  const auto v = std::stoll(digits);
  if (v < 1 || v > kMaxPaymentYen) return std::unexpected("payment.amount_invalid");
  return v;
}

}  // namespace

std::optional<store::InvoiceRecord> find_invoice(const Services& s, std::string_view number) {
  return s.db.read(
      [&](store::ReadTx& tx) { return tx.billing().find_invoice(std::string(number)); });
}

std::optional<store::InvoiceRecord> find_own_invoice(const Services& s, store::Id institution_id,
                                                     std::string_view number) {
  auto i = find_invoice(s, number);
  // Another institution's invoice is answered as one that does not exist.
  if (!i || i->institution_id != institution_id) return std::nullopt;
  return i;
}

Result<store::InvoicePaymentRecord> record_payment(const Services& s, const Actor& who,
                                                   std::string_view invoice_number,
                                                   std::string_view amount,
                                                   std::string_view received_on) {
  if (!allowed(who.role, Permission::billing))
    return std::unexpected(Failure::of(FailureCode::forbidden, "review.forbidden"));
  const auto typed_number = util::nfkc(invoice_number).text;
  const std::string number(util::trim(typed_number));
  FieldErrors errors;
  const auto yen = amount_of(amount);
  if (!yen) errors.push_back({"amount", yen.error()});
  const auto typed_date = util::nfkc(received_on).text;
  const auto date = domain::parse_date(util::trim(typed_date));
  if (!date) {
    errors.push_back({"received_on", "payment.received_on_invalid"});
  } else if (*date > today_in_japan(s)) {
    errors.push_back({"received_on", "payment.received_on_future"});
  }
  return s.db.write([&](store::WriteTx& tx) -> Result<store::InvoicePaymentRecord> {
    const auto invoice = tx.billing().find_invoice(number);
    if (!invoice)
      return std::unexpected(Failure::of(FailureCode::not_found, "billing.no_such_invoice"));
    auto all = errors;
    if (date && domain::format_date(*date) < invoice->issued_on)
      all.push_back({"received_on", "payment.received_on_before_invoice"});
    // The same transfer recorded twice (a form sent again, the page and the CLI both) would show
    // an invoice paid that is not; a real overpayment is refunded, outside onshi.
    const auto balance = invoice->total_yen - invoice->received_yen;
    if (balance <= 0) {
      // Whatever was typed: nothing more is owed.
      std::erase_if(all, [](const FieldError& e) { return e.field == "amount"; });
      all.insert(all.begin(), {"amount", "billing_refused.already_paid"});
    } else if (yen && *yen > balance) {
      all.insert(all.begin(),
                 {"amount", "billing_refused.over_balance", {util::group_thousands(balance)}});
    }
    if (!all.empty()) return std::unexpected(Failure::invalid(std::move(all), "payment.invalid"));
    store::InvoicePaymentRecord p;
    p.invoice_id = invoice->id;
    p.amount_yen = *yen;
    p.received_on = domain::format_date(*date);
    p.recorded_by = who.audit_name();
    p.recorded_at = s.now_ms();
    p.id = tx.billing().insert_payment(p);
    tx.audit().append_audit(
        {who.audit_name(), "invoice.payment", invoice->number,
         audit_detail({{"amount_yen", std::to_string(p.amount_yen)},
                       {"received_on", p.received_on},
                       {"received_total_yen", std::to_string(invoice->received_yen + p.amount_yen)},
                       {"total_yen", std::to_string(invoice->total_yen)}})},
        p.recorded_at);
    return p;
  });
}

InstitutionBilling billing_of_institution(const Services& s, store::Id institution_id) {
  return s.db.read([&](store::ReadTx& tx) {
    return InstitutionBilling{tx.billing().charges_of(institution_id),
                              tx.billing().invoices_of(institution_id)};
  });
}

}  // namespace onshi::app
