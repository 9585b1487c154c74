// 月次締め: the close's row, its invoices and the billing of its charges in one transaction, so
// that a month is billed once whatever the number of operators, nodes and retries (the row's
// UNIQUE month decides between two closes at once; billing_repositories.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "app/billing/billing.hpp"
#include "app/billing/billing_documents.hpp"
#include "app/core/dates_shown.hpp"
#include "app/core/form_values.hpp"
#include "app/core/outbox.hpp"
#include "domain/calendar_date.hpp"
#include "util/text.hpp"

namespace onshi::app {
namespace {

Failure month_failure(std::string key) {
  if (key == "billing.bad_month") return Failure::invalid({{"month", key}}, key);
  return Failure::of(FailureCode::conflict, std::move(key));
}

std::string month_text(std::chrono::year_month ym) {
  return fmt::format("{:04d}-{:02d}", static_cast<int>(ym.year()),
                     static_cast<unsigned>(ym.month()));
}

// 支払期限: the last business day of the month after the invoice's date (月末締め翌月末払い).
std::string due_date(const Services& s, std::chrono::year_month_day issued) {
  const auto first_after = (issued.year() / issued.month() + std::chrono::months{2}) / 1;
  const auto due =
      s.reference.calendar.add_business_days(std::chrono::year_month_day{first_after}, -1);
  if (!due) throw std::runtime_error("billing: the due date is outside the business calendar");
  return domain::format_date(*due);
}

std::string invoice_number(const std::string& month, const store::Institution& i) {
  return fmt::format("{}{}-{}", month.substr(0, 4), month.substr(5, 2), i.code);
}

// Who hears that an invoice is ready: the addresses of the applications it bills (the person
// who handles the certificates) and the accounts that sent them, each once.
std::vector<std::string> invoice_recipients(store::WriteTx& tx, const BillDraft& bill) {
  std::vector<std::string> out;
  const auto add = [&](const std::string& email) {
    for (const auto& e : out) {
      if (util::ascii_lower(e) == util::ascii_lower(email)) return;
    }
    if (!email.empty()) out.push_back(email);
  };
  std::vector<store::Id> seen;
  for (const auto& c : bill.charges) {
    if (std::find(seen.begin(), seen.end(), c.application_id) != seen.end()) continue;
    seen.push_back(c.application_id);
    const auto a =
        tx.certificate_applications().find_certificate_application_by_id(c.application_id);
    if (!a) continue;
    add(a->email);
    if (const auto account = tx.accounts().find_account(a->account_id)) add(account->email);
  }
  return out;
}

BillingClose close_as_stored(store::ReadTx& tx, store::BillingCloseRecord c, bool repeated) {
  BillingClose out;
  out.invoices = tx.billing().invoices_of_close(c.id);
  // The name as it is now: an operator matching a transfer reads who sent it.
  for (const auto& i : out.invoices) {
    const auto institution = tx.accounts().find_institution(i.institution_id);
    out.institution_names.push_back(institution ? institution->name : std::string());
  }
  out.close = std::move(c);
  out.repeated = repeated;
  return out;
}

}  // namespace

std::optional<std::chrono::year_month> parse_billing_month(std::string_view typed) {
  const auto text = util::nfkc(typed).text;
  const auto date = domain::parse_date(text + "-01");
  if (text.size() != 7 || !date) return std::nullopt;
  const auto ym = date->year() / date->month();
  if (ym < std::chrono::year{2019} / std::chrono::October ||
      ym > std::chrono::year{2099} / std::chrono::December)
    return std::nullopt;
  return ym;
}

Result<BillingClose> close_billing_month(const Services& s, const Actor& who,
                                         std::string_view typed_month) {
  if (!allowed(who.role, Permission::billing))
    return std::unexpected(Failure::of(FailureCode::forbidden, "review.forbidden"));
  const auto ym = parse_billing_month(typed_month);
  if (!ym) return std::unexpected(month_failure("billing.bad_month"));
  const auto month = month_text(*ym);
  const auto today = today_in_japan(s);
  if (*ym >= today.year() / today.month())
    return std::unexpected(month_failure("billing.month_not_over"));

  return s.db.write([&](store::WriteTx& tx) -> Result<BillingClose> {
    if (auto done = tx.billing().find_close(month))
      return close_as_stored(tx, std::move(*done), true);
    if (const auto closes = tx.billing().list_closes();
        !closes.empty() && closes.front().month > month)
      return std::unexpected(month_failure("billing.after_later_close"));

    std::map<std::pair<store::Id, store::PaymentMethod>, std::vector<store::ChargeRecord>> groups;
    std::vector<store::Id> ids;
    for (auto& c : tx.billing().unbilled_charges_through(month)) {
      ids.push_back(c.id);
      groups[{c.institution_id, c.payment_method}].push_back(std::move(c));
    }
    std::vector<BillDraft> deductions;
    std::vector<BillDraft> transfers;
    for (auto& [key, charges] : groups) {
      auto institution = tx.accounts().find_institution(key.first);
      if (!institution) throw std::logic_error("billing: a charge of no institution");
      auto bill = bill_of(std::move(*institution), std::move(charges));
      (key.second == store::PaymentMethod::transfer ? transfers : deductions)
          .push_back(std::move(bill));
    }
    const auto& billing = s.config.billing;
    if (!transfers.empty() && (billing.registration_number.empty() || billing.bank_account.empty()))
      return std::unexpected(month_failure("billing.not_configured"));

    const auto now = s.now_ms();
    store::BillingCloseRecord close;
    close.month = month;
    close.closed_at = now;
    close.closed_by = who.audit_name();
    close.issued_on = domain::format_date(today);
    close.due_on = due_date(s, today);
    close.charges = static_cast<std::int64_t>(ids.size());
    close.deduction_csv = deduction_csv(s, deductions);
    const auto close_id = tx.billing().try_insert_close(close);
    // Only a close committed after this transaction's snapshot is missed by find_close above,
    // and the engine then fails this transaction (SERIALIZABLE) for Database::write to run again.
    if (!close_id) throw store::TransientConflict("billing: the month was closed meanwhile");
    close.id = *close_id;
    if (tx.billing().bill_charges(close.id, ids) != static_cast<int>(ids.size()))
      throw store::TransientConflict("billing: a charge was billed meanwhile");

    for (const auto& bill : transfers) {
      store::InvoiceRecord inv;
      inv.close_id = close.id;
      inv.institution_id = bill.institution.id;
      inv.number = invoice_number(month, bill.institution);
      inv.month = month;
      inv.issued_on = close.issued_on;
      inv.due_on = close.due_on;
      inv.items = bill.totals.items;
      inv.subtotal_yen = bill.totals.subtotal_yen;
      inv.tax_yen = bill.totals.tax_yen;
      inv.total_yen = bill.totals.total_yen;
      inv.pdf = invoice_pdf(s, {inv.number, month, inv.issued_on, inv.due_on}, bill);
      inv.id = tx.billing().insert_invoice(inv);
      util::TemplateData d;
      d.set("institution_name", bill.institution.name);
      d.set("number", inv.number);
      d.set("month",
            s.messages.format("invoice.month_value",
                              {month.substr(0, 4), std::to_string(std::stoi(month.substr(5, 2)))}));
      d.set("items", std::to_string(inv.items));
      d.set("total", util::group_thousands(inv.total_yen));
      d.set("due_on", date_shown(s.messages, inv.due_on));
      d.set("mypage_url", s.config.base_url + "/mypage/billing");
      for (const auto& to : invoice_recipients(tx, bill))
        enqueue_mail(s, tx, to, "invoice_ready", d);
    }
    std::int64_t deducted = 0;
    for (const auto& b : deductions) deducted += b.totals.total_yen;
    tx.audit().append_audit({who.audit_name(), "billing.close", month,
                             audit_detail({{"charges", std::to_string(ids.size())},
                                           {"invoices", std::to_string(transfers.size())},
                                           {"deductions", std::to_string(deductions.size())},
                                           {"deducted_yen", std::to_string(deducted)},
                                           {"due_on", close.due_on}})},
                            now);
    return close_as_stored(tx, std::move(close), false);
  });
}

std::optional<BillingClose> find_billing_close(const Services& s, std::string_view typed_month) {
  const auto ym = parse_billing_month(typed_month);
  if (!ym) return std::nullopt;
  return s.db.read([&](store::ReadTx& tx) -> std::optional<BillingClose> {
    auto c = tx.billing().find_close(month_text(*ym));
    if (!c) return std::nullopt;
    return close_as_stored(tx, std::move(*c), true);
  });
}

std::vector<store::BillingCloseRecord> billing_closes(const Services& s) {
  return s.db.read([](store::ReadTx& tx) { return tx.billing().list_closes(); });
}

std::vector<BillingFile> billing_files(const Services& s, const BillingClose& c) {
  std::vector<BillingFile> out;
  out.push_back({fmt::format("deduction-{}.csv", c.close.month), c.close.deduction_csv});
  s.db.read([&](store::ReadTx& tx) {
    for (const auto& i : c.invoices) {
      if (auto full = tx.billing().find_invoice(i.number))
        out.push_back({fmt::format("invoice-{}.pdf", i.number), std::move(full->pdf)});
    }
  });
  return out;
}

}  // namespace onshi::app
