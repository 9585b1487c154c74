#include "app/billing/billing_documents.hpp"

#include <fmt/format.h>

#include "app/core/dates_shown.hpp"
#include "domain/institution_code.hpp"
#include "letters/receipt.hpp"
#include "util/text.hpp"

namespace onshi::app {
namespace {

// RFC 4180: a field holding a comma, a quote or a line break is quoted, its quotes doubled.
std::string csv_field(std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(v);
  std::string out = "\"";
  for (const char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

std::string csv_row(std::initializer_list<std::string_view> fields) {
  std::string out;
  for (const auto& f : fields) {
    if (!out.empty()) out += ',';
    out += csv_field(f);
  }
  return out + "\r\n";
}

// 「2026年11月5日」: the item's date without its weekday, beside its fee in the wider column, so
// that each item stays on one line whatever the size the page is shrunk to.
std::string short_date(const Messages& m, const std::string& iso) {
  return m.format("invoice.date", {iso.substr(0, 4), std::to_string(std::stoi(iso.substr(5, 2))),
                                   std::to_string(std::stoi(iso.substr(8, 2)))});
}

}  // namespace

BillDraft bill_of(store::Institution institution, std::vector<store::ChargeRecord> charges) {
  std::vector<domain::BillItem> items;
  for (const auto& c : charges) items.push_back({c.fee_yen, c.tax_rate_percent});
  BillDraft d{std::move(institution), std::move(charges), {}};
  d.totals = domain::bill_totals(items);
  return d;
}

std::string deduction_csv(const Services& s, const std::vector<BillDraft>& bills) {
  const auto& m = s.messages;
  std::string out = "\xEF\xBB\xBF";
  out += csv_row({m.get("deduction_csv.code"), m.get("deduction_csv.name"),
                  m.get("deduction_csv.items"), m.get("deduction_csv.amount")});
  for (const auto& b : bills) {
    out += csv_row({b.institution.code, b.institution.name, std::to_string(b.totals.items),
                    std::to_string(b.totals.total_yen)});
  }
  return out;
}

std::string invoice_pdf(const Services& s, const InvoiceHeader& h, const BillDraft& bill) {
  const auto& m = s.messages;
  const auto yen = [&](std::int64_t v) {
    return m.format("invoice.yen", {util::group_thousands(v)});
  };
  const auto code = domain::InstitutionCode::parse(bill.institution.code);
  const auto& issuer = s.config.billing.issuer_name.empty() ? m.get("invoice.issuer_name")
                                                            : s.config.billing.issuer_name;

  letters::Receipt r;
  r.title = m.get("invoice.title");
  r.subtitle = m.format("invoice.addressee", {bill.institution.name});
  r.issued_by = m.format("invoice.issued_by", {issuer, s.config.billing.registration_number});
  r.lines = {
      {m.get("invoice.number"), h.number},
      {m.get("invoice.issued_on"), date_shown(m, h.issued_on)},
      {m.get("invoice.month"),
       m.format("invoice.month_value",
                {h.month.substr(0, 4), std::to_string(std::stoi(h.month.substr(5, 2)))})},
      {m.get("invoice.institution_code"), code ? code->formatted() : bill.institution.code},
  };
  // One line per certificate: what it was, when, and its fee at its own rate.
  for (const auto& c : bill.charges) {
    r.lines.push_back(
        {m.format("invoice.item",
                  {c.issuance_number,
                   m.get("invoice.kind." + std::string(store::charge_kind_name(c.kind)))}),
         m.format("invoice.item_fee", {short_date(m, c.issued_on), yen(c.fee_yen),
                                       std::to_string(c.tax_rate_percent)})});
  }
  for (const auto& rate : bill.totals.by_rate) {
    const auto pct = std::to_string(rate.tax_rate_percent);
    r.lines.push_back({m.format("invoice.subtotal_at", {pct}), yen(rate.subtotal_yen)});
    r.lines.push_back({m.format("invoice.tax_at", {pct}), yen(rate.tax_yen)});
  }
  r.lines.push_back({m.get("invoice.subtotal"), yen(bill.totals.subtotal_yen)});
  r.lines.push_back({m.get("invoice.tax"), yen(bill.totals.tax_yen)});
  r.lines.push_back({m.get("invoice.total"), yen(bill.totals.total_yen)});
  r.lines.push_back({m.get("invoice.due_on"), date_shown(m, h.due_on)});
  r.lines.push_back({m.get("invoice.bank_account"), s.config.billing.bank_account});
  r.notes = {
      m.get("invoice.note_transfer_fee"),
      m.format("invoice.note_number", {bill.institution.code}),
      m.format("invoice.note_contact", {s.config.contact.name, s.config.contact.phone,
                                        s.config.contact.hours, s.config.contact.email}),
  };
  r.footer = m.format("invoice.footer", {s.config.base_url});
  return letters::render_receipt_pdf(r);
}

}  // namespace onshi::app
