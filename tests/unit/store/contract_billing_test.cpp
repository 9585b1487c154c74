// The store contract, 発行料 (migration 0020): one charge per certificate, the application's
// payment method kept, unbilled charges through a month, one close per month (also of two closes
// at once: exactly one bills, the other finds it), invoices with their PDF bytes and payments.
#include <atomic>
#include <string>
#include <vector>

#include "contract_env.hpp"

namespace onshi::store::contract {
namespace {

class ContractBilling : public StoreContract {
 protected:
  // A certificate of `c`'s application, stored as issuance stores it; its id.
  Id certificate(const Clinic& c, const std::string& serial, const std::string& number) {
    return db().write([&](WriteTx& tx) {
      EXPECT_TRUE(tx.certificates().try_insert_certificate(
          certificate_record(c.institution, c.application.id, serial, number)));
      return tx.certificates().find_certificate_by_serial(serial)->id;
    });
  }
  static ChargeRecord charge_record(const Clinic& c, Id certificate_id, const std::string& on,
                                    PaymentMethod m = PaymentMethod::deduction) {
    ChargeRecord r;
    r.certificate_id = certificate_id;
    r.institution_id = c.institution;
    r.application_id = c.application.id;
    r.issuance_number = c.application.number + "-01";
    r.serial_hex = "serial";
    r.kind = ChargeKind::issue;
    r.payment_method = m;
    r.issued_on = on;
    r.billing_month = on.substr(0, 7);
    r.fee_yen = 1500;
    r.tax_rate_percent = 10;
    r.created_at = 4000;
    return r;
  }
  bool charge(const ChargeRecord& r) {
    return db().write([&](WriteTx& tx) { return tx.billing().try_insert_charge(r); });
  }
  static BillingCloseRecord close_record(const std::string& month) {
    BillingCloseRecord c;
    c.month = month;
    c.closed_at = 9000;
    c.closed_by = "operator:1";
    c.issued_on = "2026-12-02";
    c.due_on = "2027-01-29";
    c.charges = 0;
    c.deduction_csv = std::string(
        "\xEF\xBB\xBF"
        "code\r\n",
        9);
    return c;
  }
  // What app/billing's close does in its one transaction: nothing when the month is closed,
  // else the close row, its charges billed and one invoice; true when this call closed it.
  bool close_month(const std::string& month) {
    return db().write([&](WriteTx& tx) {
      if (tx.billing().find_close(month)) return false;
      const auto charges = tx.billing().unbilled_charges_through(month);
      auto record = close_record(month);
      record.charges = static_cast<std::int64_t>(charges.size());
      const auto id = tx.billing().try_insert_close(record);
      if (!id) throw TransientConflict("closed meanwhile");
      std::vector<Id> ids;
      for (const auto& c : charges) ids.push_back(c.id);
      if (tx.billing().bill_charges(*id, ids) != static_cast<int>(ids.size()))
        throw TransientConflict("billed meanwhile");
      InvoiceRecord inv;
      inv.close_id = *id;
      inv.institution_id = charges.front().institution_id;
      inv.number = month + "-inv";
      inv.month = month;
      inv.issued_on = "2026-12-02";
      inv.due_on = "2027-01-29";
      inv.items = static_cast<int>(charges.size());
      inv.subtotal_yen = 1500;
      inv.tax_yen = 150;
      inv.total_yen = 1650;
      inv.pdf = std::string("%PDF-\0\xff", 7);
      tx.billing().insert_invoice(inv);
      return true;
    });
  }
};

TEST_P(ContractBilling, TheApplicationKeepsItsPaymentMethod) {
  auto c = clinic("1310123455", "a@example.jp");
  EXPECT_EQ(c.application.payment_method, PaymentMethod::deduction);
  auto r = certificate_application_record(c.institution, c.account, c.usage.id, "transfer-key");
  r.payment_method = PaymentMethod::transfer;
  const auto saved = db().write(
      [&](WriteTx& tx) { return tx.certificate_applications().insert_certificate_application(r); });
  const auto read = db().read([&](ReadTx& tx) {
    return tx.certificate_applications().find_certificate_application_by_id(saved.id);
  });
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->payment_method, PaymentMethod::transfer);
  EXPECT_EQ(db().read([&](ReadTx& tx) {
    return tx.certificate_applications()
        .find_certificate_application_by_id(c.application.id)
        ->payment_method;
  }),
            PaymentMethod::deduction);
}

TEST_P(ContractBilling, ACertificateIsChargedOnce) {
  const auto c = clinic("1310123455", "a@example.jp");
  const auto cert = certificate(c, "aa01", c.application.number + "-01");
  auto r = charge_record(c, cert, "2026-11-05", PaymentMethod::transfer);
  r.kind = ChargeKind::renewal;
  ASSERT_TRUE(charge(r));
  EXPECT_FALSE(charge(r)) << "the same certificate again";
  const auto stored =
      db().read([&](ReadTx& tx) { return tx.billing().charge_of_certificate(cert); });
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->kind, ChargeKind::renewal);
  EXPECT_EQ(stored->payment_method, PaymentMethod::transfer);
  EXPECT_EQ(stored->issued_on, "2026-11-05");
  EXPECT_EQ(stored->billing_month, "2026-11");
  EXPECT_EQ(stored->fee_yen, 1500);
  EXPECT_EQ(stored->tax_rate_percent, 10);
  EXPECT_FALSE(stored->close_id.has_value());
  EXPECT_EQ(db().read([&](ReadTx& tx) { return tx.billing().charges_of(c.institution); }).size(),
            1u);
}

TEST_P(ContractBilling, UnbilledChargesThroughAMonthIncludeEarlierOnesOnly) {
  const auto a = clinic("1310123455", "a@example.jp");
  const auto b = clinic("1310123463", "b@example.jp");
  ASSERT_TRUE(charge(charge_record(b, certificate(b, "b1", "B-01"), "2026-10-31")));
  ASSERT_TRUE(charge(charge_record(a, certificate(a, "a1", "A-01"), "2026-11-30")));
  ASSERT_TRUE(charge(charge_record(a, certificate(a, "a2", "A-02"), "2026-12-01")));
  const auto through =
      db().read([&](ReadTx& tx) { return tx.billing().unbilled_charges_through("2026-11"); });
  ASSERT_EQ(through.size(), 2u);
  EXPECT_EQ(through[0].institution_id, a.institution) << "by institution, then id";
  EXPECT_EQ(through[0].issued_on, "2026-11-30");
  EXPECT_EQ(through[1].issued_on, "2026-10-31");
}

TEST_P(ContractBilling, AMonthIsClosedOnceAndItsFilesKept) {
  const auto c = clinic("1310123455", "a@example.jp");
  ASSERT_TRUE(charge(charge_record(c, certificate(c, "a1", "A-01"), "2026-11-05")));
  ASSERT_TRUE(close_month("2026-11"));
  EXPECT_FALSE(close_month("2026-11")) << "the second close finds the first";
  EXPECT_FALSE(db().write([&](WriteTx& tx) {
    return tx.billing().try_insert_close(close_record("2026-11")).has_value();
  })) << "the row itself refuses a second close";
  const auto close = db().read([&](ReadTx& tx) { return tx.billing().find_close("2026-11"); });
  ASSERT_TRUE(close.has_value());
  EXPECT_EQ(close->charges, 1);
  EXPECT_EQ(close->deduction_csv, std::string("\xEF\xBB\xBF"
                                              "code\r\n",
                                              9))
      << "bytes as written";
  const auto billed =
      db().read([&](ReadTx& tx) { return tx.billing().charges_of_close(close->id); });
  ASSERT_EQ(billed.size(), 1u);
  EXPECT_EQ(billed[0].close_id, close->id);
  EXPECT_TRUE(
      db().read([&](ReadTx& tx) { return tx.billing().unbilled_charges_through("2026-12"); })
          .empty());
  const auto invoices =
      db().read([&](ReadTx& tx) { return tx.billing().invoices_of_close(close->id); });
  ASSERT_EQ(invoices.size(), 1u);
  EXPECT_TRUE(invoices[0].pdf.empty()) << "listed without the PDF";
  const auto full = db().read([&](ReadTx& tx) { return tx.billing().find_invoice("2026-11-inv"); });
  ASSERT_TRUE(full.has_value());
  EXPECT_EQ(full->pdf, std::string("%PDF-\0\xff", 7));
  EXPECT_EQ(db().read([&](ReadTx& tx) { return tx.billing().invoices_of(c.institution); }).size(),
            1u);
  EXPECT_EQ(db().read([&](ReadTx& tx) { return tx.billing().list_closes(); }).size(), 1u);
}

TEST_P(ContractBilling, OfTwoClosesOfOneMonthAtOnceExactlyOneBills) {
  const auto c = clinic("1310123455", "a@example.jp");
  for (int i = 1; i <= 5; ++i) {
    const auto n = std::to_string(i);
    ASSERT_TRUE(charge(charge_record(c, certificate(c, "s" + n, "A-0" + n), "2026-11-05")));
  }
  const std::vector<std::string> months = {"2026-11", "2026-12", "2027-01"};
  for (std::size_t round = 0; round < months.size(); ++round) {
    const auto& month = months[round];
    if (round > 0) {
      ASSERT_TRUE(
          charge(charge_record(c, certificate(c, "r" + month, "R-" + month), month + "-01")));
    }
    std::atomic<int> closed = 0;
    const auto failures = run_together(4, [&](int) {
      if (close_month(month)) ++closed;
    });
    EXPECT_TRUE(failures.empty()) << (failures.empty() ? "" : failures.front());
    EXPECT_EQ(closed.load(), 1) << month;
    const auto close = db().read([&](ReadTx& tx) { return tx.billing().find_close(month); });
    ASSERT_TRUE(close.has_value());
    const auto invoices =
        db().read([&](ReadTx& tx) { return tx.billing().invoices_of_close(close->id); });
    EXPECT_EQ(invoices.size(), 1u) << month;
  }
  const auto closes = db().read([&](ReadTx& tx) { return tx.billing().list_closes(); });
  ASSERT_EQ(closes.size(), 3u);
  EXPECT_EQ(closes[0].month, "2027-01") << "newest first";
  EXPECT_EQ(closes[2].charges, 5);
}

TEST_P(ContractBilling, PaymentsAddUpOnTheirInvoice) {
  const auto c = clinic("1310123455", "a@example.jp");
  ASSERT_TRUE(charge(charge_record(c, certificate(c, "a1", "A-01"), "2026-11-05")));
  ASSERT_TRUE(close_month("2026-11"));
  const auto inv = db().read([&](ReadTx& tx) { return tx.billing().find_invoice("2026-11-inv"); });
  ASSERT_TRUE(inv.has_value());
  EXPECT_EQ(inv->received_yen, 0);
  for (const std::int64_t yen : {1000, 650}) {
    InvoicePaymentRecord p;
    p.invoice_id = inv->id;
    p.amount_yen = yen;
    p.received_on = "2026-12-10";
    p.recorded_by = "operator:1";
    p.recorded_at = 9500;
    EXPECT_GT(db().write([&](WriteTx& tx) { return tx.billing().insert_payment(p); }), 0);
  }
  EXPECT_EQ(
      db().read([&](ReadTx& tx) { return tx.billing().find_invoice("2026-11-inv")->received_yen; }),
      1650);
  const auto payments = db().read([&](ReadTx& tx) { return tx.billing().payments_of(inv->id); });
  ASSERT_EQ(payments.size(), 2u);
  EXPECT_EQ(payments[0].amount_yen, 1000);
  EXPECT_EQ(payments[1].received_on, "2026-12-10");
}

INSTANTIATE_TEST_SUITE_P(Backends, ContractBilling, ::testing::ValuesIn(backends()), backend_name);

}  // namespace
}  // namespace onshi::store::contract
