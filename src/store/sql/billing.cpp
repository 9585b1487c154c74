// 発行料 (0020_billing.sql). The close's row is the guard: try_insert_close is one INSERT ... ON
// CONFLICT (month) DO NOTHING, so two closes of one month at once store one row between them. On
// PostgreSQL the later one, finding a row committed after its snapshot, fails its SERIALIZABLE
// transaction and Database::write runs it again, to find the month closed.
#include <fmt/format.h>

#include "store/sql/repositories.hpp"

namespace onshi::store::sql {
namespace {

constexpr std::string_view kChargeColumns =
    "id, certificate_id, institution_id, application_id, issuance_number, serial_hex, kind, "
    "payment_method, issued_on, billing_month, fee_yen, tax_rate_percent, close_id, created_at";

ChargeRecord read_charge(const Statement& s) {
  ChargeRecord c;
  c.id = s.int64(0);
  c.certificate_id = s.int64(1);
  c.institution_id = s.int64(2);
  c.application_id = s.int64(3);
  c.issuance_number = s.text(4);
  c.serial_hex = s.text(5);
  c.kind = s.text(6) == "renewal" ? ChargeKind::renewal : ChargeKind::issue;
  c.payment_method = parse_payment_method(s.text(7)).value_or(PaymentMethod::deduction);
  c.issued_on = s.text(8);
  c.billing_month = s.text(9);
  c.fee_yen = s.int64(10);
  c.tax_rate_percent = s.integer(11);
  c.close_id = s.optional_int64(12);
  c.created_at = s.int64(13);
  return c;
}

std::vector<ChargeRecord> charges(Statement& s) {
  std::vector<ChargeRecord> out;
  while (s.step()) out.push_back(read_charge(s));
  return out;
}

std::string select_charges(std::string_view where) {
  return fmt::format("SELECT {} FROM charges WHERE {}", kChargeColumns, where);
}

constexpr std::string_view kCloseColumns =
    "id, month, closed_at, closed_by, issued_on, due_on, charges";

BillingCloseRecord read_close(const Statement& s) {
  BillingCloseRecord c;
  c.id = s.int64(0);
  c.month = s.text(1);
  c.closed_at = s.int64(2);
  c.closed_by = s.text(3);
  c.issued_on = s.text(4);
  c.due_on = s.text(5);
  c.charges = s.int64(6);
  return c;
}

// The received sum rides along every listing, so that a page needs no query per invoice.
constexpr std::string_view kInvoiceColumns =
    "i.id, i.close_id, i.institution_id, i.number, i.month, i.issued_on, i.due_on, i.items, "
    "i.subtotal_yen, i.tax_yen, i.total_yen, "
    "(SELECT coalesce(sum(p.amount_yen), 0) FROM invoice_payments p WHERE p.invoice_id = i.id)";

InvoiceRecord read_invoice(const Statement& s) {
  InvoiceRecord i;
  i.id = s.int64(0);
  i.close_id = s.int64(1);
  i.institution_id = s.int64(2);
  i.number = s.text(3);
  i.month = s.text(4);
  i.issued_on = s.text(5);
  i.due_on = s.text(6);
  i.items = s.integer(7);
  i.subtotal_yen = s.int64(8);
  i.tax_yen = s.int64(9);
  i.total_yen = s.int64(10);
  i.received_yen = s.int64(11);
  return i;
}

std::vector<InvoiceRecord> invoices(Statement& s) {
  std::vector<InvoiceRecord> out;
  while (s.step()) out.push_back(read_invoice(s));
  return out;
}

}  // namespace

std::optional<ChargeRecord> SqlBilling::charge_of_certificate(Id certificate_id) {
  auto s = c_.prepare(select_charges("certificate_id = ?"));
  s.bind_all(certificate_id);
  if (!s.step()) return std::nullopt;
  return read_charge(s);
}

std::vector<ChargeRecord> SqlBilling::charges_of(Id institution_id) {
  auto s = c_.prepare(select_charges("institution_id = ? ORDER BY id DESC"));
  s.bind_all(institution_id);
  return charges(s);
}

std::vector<ChargeRecord> SqlBilling::unbilled_charges_through(const std::string& month) {
  auto s = c_.prepare(
      select_charges("close_id IS NULL AND billing_month <= ? ORDER BY institution_id, id"));
  s.bind_all(month);
  return charges(s);
}

std::vector<ChargeRecord> SqlBilling::charges_of_close(Id close_id) {
  auto s = c_.prepare(select_charges("close_id = ? ORDER BY institution_id, id"));
  s.bind_all(close_id);
  return charges(s);
}

std::optional<BillingCloseRecord> SqlBilling::find_close(const std::string& month) {
  auto s = c_.prepare(
      fmt::format("SELECT {}, deduction_csv FROM billing_closes WHERE month = ?", kCloseColumns));
  s.bind_all(month);
  if (!s.step()) return std::nullopt;
  auto c = read_close(s);
  c.deduction_csv = s.blob(7);
  return c;
}

std::vector<BillingCloseRecord> SqlBilling::list_closes() {
  auto s =
      c_.prepare(fmt::format("SELECT {} FROM billing_closes ORDER BY month DESC", kCloseColumns));
  std::vector<BillingCloseRecord> out;
  while (s.step()) out.push_back(read_close(s));
  return out;
}

std::vector<InvoiceRecord> SqlBilling::invoices_of_close(Id close_id) {
  auto s = c_.prepare(fmt::format(
      "SELECT {} FROM invoices i WHERE i.close_id = ? ORDER BY i.number", kInvoiceColumns));
  s.bind_all(close_id);
  return invoices(s);
}

std::vector<InvoiceRecord> SqlBilling::invoices_of(Id institution_id) {
  auto s = c_.prepare(fmt::format(
      "SELECT {} FROM invoices i WHERE i.institution_id = ? ORDER BY i.id DESC", kInvoiceColumns));
  s.bind_all(institution_id);
  return invoices(s);
}

std::optional<InvoiceRecord> SqlBilling::find_invoice(const std::string& number) {
  auto s = c_.prepare(
      fmt::format("SELECT {}, i.pdf FROM invoices i WHERE i.number = ?", kInvoiceColumns));
  s.bind_all(number);
  if (!s.step()) return std::nullopt;
  auto i = read_invoice(s);
  i.pdf = s.blob(12);
  return i;
}

std::vector<InvoicePaymentRecord> SqlBilling::payments_of(Id invoice_id) {
  auto s = c_.prepare(
      "SELECT id, invoice_id, amount_yen, received_on, recorded_by, recorded_at "
      "FROM invoice_payments WHERE invoice_id = ? ORDER BY id");
  s.bind_all(invoice_id);
  std::vector<InvoicePaymentRecord> out;
  while (s.step()) {
    InvoicePaymentRecord p;
    p.id = s.int64(0);
    p.invoice_id = s.int64(1);
    p.amount_yen = s.int64(2);
    p.received_on = s.text(3);
    p.recorded_by = s.text(4);
    p.recorded_at = s.int64(5);
    out.push_back(std::move(p));
  }
  return out;
}

bool SqlBilling::try_insert_charge(const ChargeRecord& c) {
  auto s = c_.prepare(
      "INSERT INTO charges (certificate_id, institution_id, application_id, issuance_number, "
      "serial_hex, kind, payment_method, issued_on, billing_month, fee_yen, tax_rate_percent, "
      "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (certificate_id) DO NOTHING RETURNING id");
  s.bind_all(c.certificate_id, c.institution_id, c.application_id, c.issuance_number, c.serial_hex,
             std::string(charge_kind_name(c.kind)),
             std::string(payment_method_name(c.payment_method)), c.issued_on, c.billing_month,
             c.fee_yen, c.tax_rate_percent, c.created_at);
  return s.step();
}

std::optional<Id> SqlBilling::try_insert_close(const BillingCloseRecord& c) {
  auto s = c_.prepare(
      "INSERT INTO billing_closes (month, closed_at, closed_by, issued_on, due_on, charges, "
      "deduction_csv) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (month) DO NOTHING RETURNING id");
  s.bind_all(c.month, c.closed_at, c.closed_by, c.issued_on, c.due_on, c.charges,
             Blob{c.deduction_csv});
  if (!s.step()) return std::nullopt;
  return s.int64(0);
}

int SqlBilling::bill_charges(Id close_id, const std::vector<Id>& charge_ids) {
  int billed = 0;
  for (const auto id : charge_ids) {
    billed += static_cast<int>(
        c_.prepare("UPDATE charges SET close_id = ? WHERE id = ? AND close_id IS NULL")
            .bind_all(close_id, id)
            .run());
  }
  return billed;
}

Id SqlBilling::insert_invoice(const InvoiceRecord& i) {
  return c_
      .prepare(
          "INSERT INTO invoices (close_id, institution_id, number, month, issued_on, due_on, "
          "items, subtotal_yen, tax_yen, total_yen, pdf) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
          "RETURNING id")
      .bind_all(i.close_id, i.institution_id, i.number, i.month, i.issued_on, i.due_on, i.items,
                i.subtotal_yen, i.tax_yen, i.total_yen, Blob{i.pdf})
      .inserted_id();
}

Id SqlBilling::insert_payment(const InvoicePaymentRecord& p) {
  return c_
      .prepare(
          "INSERT INTO invoice_payments (invoice_id, amount_yen, received_on, recorded_by, "
          "recorded_at) VALUES (?, ?, ?, ?, ?) RETURNING id")
      .bind_all(p.invoice_id, p.amount_yen, p.received_on, p.recorded_by, p.recorded_at)
      .inserted_id();
}

}  // namespace onshi::store::sql
