#pragma once
// The storage contract of 発行料, beside repositories.hpp and under its rules.
#include <optional>
#include <string>
#include <vector>

#include "store/billing_records.hpp"

namespace onshi::store {

class BillingReader {
 public:
  virtual ~BillingReader() = default;
  virtual std::optional<ChargeRecord> charge_of_certificate(Id certificate_id) = 0;
  // マイページ: the institution's charges, newest first.
  virtual std::vector<ChargeRecord> charges_of(Id institution_id) = 0;
  // What a close of `month` bills: every unbilled charge of that month or before, by
  // institution, then id.
  virtual std::vector<ChargeRecord> unbilled_charges_through(const std::string& month) = 0;
  virtual std::vector<ChargeRecord> charges_of_close(Id close_id) = 0;
  virtual std::optional<BillingCloseRecord> find_close(const std::string& month) = 0;
  // Newest month first, without their CSV.
  virtual std::vector<BillingCloseRecord> list_closes() = 0;
  // A close's invoices by number, without their PDF.
  virtual std::vector<InvoiceRecord> invoices_of_close(Id close_id) = 0;
  // The institution's invoices, newest first, without their PDF.
  virtual std::vector<InvoiceRecord> invoices_of(Id institution_id) = 0;
  // With its PDF.
  virtual std::optional<InvoiceRecord> find_invoice(const std::string& number) = 0;
  virtual std::vector<InvoicePaymentRecord> payments_of(Id invoice_id) = 0;
};

class BillingWriter : public BillingReader {
 public:
  // Stores the certificate's charge unless it has one (one statement, ON CONFLICT DO NOTHING):
  // false then.
  virtual bool try_insert_charge(const ChargeRecord& c) = 0;
  // Stores the month's close unless the month is closed already (false then, and nothing
  // changes): the one guard against billing a month twice, also for two closes at once.
  virtual std::optional<Id> try_insert_close(const BillingCloseRecord& c) = 0;
  // Marks the charges billed by the close, only those still unbilled; how many.
  virtual int bill_charges(Id close_id, const std::vector<Id>& charge_ids) = 0;
  virtual Id insert_invoice(const InvoiceRecord& i) = 0;
  virtual Id insert_payment(const InvoicePaymentRecord& p) = 0;
};

}  // namespace onshi::store
