// 発行料 on the use cases, with a real CA and a settable clock: a charge per certificate issued
// (new, renewed by EST re-enrolment) and none for the free replacement of an unused generated key,
// the application's payment method, a renewal application charged as a renewal and a re-issue
// after a loss as an issue (the letter's free resend and the revocation charge nothing), and the
// monthly close: refused before the month ends or to a reviewer, once only (the second gives the
// same files and no mail), an invoice PDF of one page whose totals are the CSV's rule, and
// transfers recorded, never more than the invoice owes.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "app/applications/renewal_applications.hpp"
#include "app/billing/billing.hpp"
#include "app/ca/est.hpp"
#include "app/ca/own_revocation.hpp"
#include "app/core/form_values.hpp"
#include "app/core/outbox.hpp"
#include "app/office/notice_letters.hpp"
#include "domain/calendar_date.hpp"
#include "issued_fixture.hpp"
#include "support/error_of.hpp"

namespace onshi::app {
namespace {

using onshi::test::error_of;
using namespace std::chrono;
using test::read_file;
using test::run;

class BillingTest : public test::IssuedTest {
 protected:
  void SetUp() override {
    IssuedTest::SetUp();
    env.config.billing.registration_number = "T7000012050002";
    env.config.billing.bank_account = "テスト銀行 本店 普通 1234567 オンシ";
  }

  std::vector<store::ChargeRecord> charges() {
    return billing_of_institution(env.services, user.institution.id).charges;
  }

  std::string apply_paying(const std::string& count, const std::string& key,
                           const std::string& method) {
    auto f = test::certificate_form(count, key);
    f.payment_method = method;
    auto r = submit_certificate_application(env.services, user, f);
    EXPECT_TRUE(r.has_value());
    return r->application.number;
  }
  void approve_and_issue(const std::string& number) {
    ASSERT_TRUE(decide(env.services, reviewer, number, Decision::approve, "").has_value());
    ASSERT_TRUE(issue_application(env.services, issuer, number, {}).has_value());
  }

  std::filesystem::path file(const std::string& name, std::string_view bytes) {
    const auto p = env.dir.path() / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  std::string csr(const std::string& name, const std::string& how) {
    const auto key = env.dir.path() / (name + ".key");
    const auto out = env.dir.path() / (name + ".csr");
    run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out '" + key.string() +
        "'");
    run(how + " -key '" + key.string() + "' | openssl req -outform DER -out '" + out.string() +
        "'");
    return read_file(out);
  }
  long long mails() { return pending_mail_count(env.services); }
};

TEST_F(BillingTest, EachIssuedCertificateIsChargedAtTheRateOfItsIssueDate) {
  issue("2", "b1");
  const auto c = charges();
  ASSERT_EQ(c.size(), 2u);
  for (const auto& ch : c) {
    EXPECT_EQ(ch.kind, store::ChargeKind::issue);
    EXPECT_EQ(ch.payment_method, store::PaymentMethod::deduction) << "the default";
    EXPECT_EQ(ch.issued_on, "2026-11-24");
    EXPECT_EQ(ch.billing_month, "2026-11");
    EXPECT_EQ(ch.fee_yen, 1500);
    EXPECT_EQ(ch.tax_rate_percent, 10);
    EXPECT_FALSE(ch.close_id.has_value());
  }
  EXPECT_NE(c[0].certificate_id, c[1].certificate_id);
}

TEST_F(BillingTest, TheApplicationsPaymentMethodGoesToItsCharges) {
  approve_and_issue(apply_paying("1", "b2", "transfer"));
  ASSERT_EQ(charges().size(), 1u);
  EXPECT_EQ(charges()[0].payment_method, store::PaymentMethod::transfer);
  auto f = test::certificate_form("1", "b3");
  f.payment_method = "cash";
  const auto r = submit_certificate_application(env.services, user, f);
  ASSERT_FALSE(r.has_value());
  ASSERT_EQ(r.error().fields.size(), 1u);
  EXPECT_EQ(r.error().fields[0].field, "payment_method");
  EXPECT_EQ(r.error().fields[0].key, "payment_method.invalid");
}

TEST_F(BillingTest, TheTerminalsOwnCsrForAnUnusedKeyIsFreeAndARenewalIsCharged) {
  const auto c = issue("1", "b4");
  auto enrolled = est_simpleenroll(env.services, {c[0].number, c[0].code, "192.0.2.20"},
                                   csr("e", "openssl req -new -subj /CN=t"));
  ASSERT_TRUE(enrolled.has_value()) << error_of(enrolled).key;
  EXPECT_EQ(charges().size(), 1u) << "superseding a certificate nobody used is free";

  const auto held = current(c[0].number);
  env.clock.advance(hours{24 * 10});  // 2026-12-04
  const auto cert = file("held.der", held.der);
  auto renewed = est_simplereenroll(
      env.services, {{held.der}, true},
      csr("r", "openssl x509 -x509toreq -inform DER -in '" + cert.string() + "'"), "192.0.2.30");
  ASSERT_TRUE(renewed.has_value()) << error_of(renewed).key;
  const auto all = charges();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].kind, store::ChargeKind::renewal) << "newest first";
  EXPECT_EQ(all[0].serial_hex, renewed->certificate.serial_hex);
  EXPECT_EQ(all[0].issued_on, "2026-12-04");
  EXPECT_EQ(all[0].billing_month, "2026-12");
}

TEST_F(BillingTest, ARenewalApplicationIsChargedAsARenewalAtItsIssueDate) {
  const auto held = issue("1", "r1").at(0);
  auto grant = open_pickup(env.services, {held.number, held.code, "192.0.2.10"});
  ASSERT_TRUE(grant.has_value()) << error_of(grant).key;
  ASSERT_TRUE(download_chain(env.services, *grant, ChainFormat::pem, "192.0.2.10").has_value());
  const auto old = charges().at(0);
  const auto not_after = current(old.issuance_number).not_after;
  env.clock.set(util::from_unix(0) + milliseconds{not_after} - days{30});
  auto f = renewal_form_for(env.services, user);
  ASSERT_TRUE(f.has_value()) << error_of(f).key;
  f->certificates = {old.issuance_number};
  f->idempotency_key = "r2";
  auto a = submit_renewal_application(env.services, user, *f);
  ASSERT_TRUE(a.has_value()) << error_of(a).key;
  EXPECT_EQ(charges().size(), 1u) << "applying is free; issuing is charged";
  approve_and_issue(a->application.number);
  const auto all = charges();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].kind, store::ChargeKind::renewal);
  EXPECT_EQ(all[0].issuance_number, old.issuance_number) << "the same 発行番号";
  EXPECT_EQ(all[0].application_id, a->application.id);
  EXPECT_EQ(all[0].serial_hex, current(old.issuance_number).serial_hex);
  EXPECT_EQ(all[0].payment_method, a->application.payment_method);
  EXPECT_EQ(all[0].issued_on, domain::format_date(today_in_japan(env.services)));
  EXPECT_EQ(all[0].billing_month, all[0].issued_on.substr(0, 7));
  EXPECT_EQ(all[0].fee_yen, 1500);
}

// CPIPCS 9.1: a re-issue because the clinic lost the certificate or its key is charged (in
// onshi, a new 電子証明書発行申請 after the clinic revoked the lost one); the notice letter sent
// again with new codes (4.4.4) and the revocation are free.
TEST_F(BillingTest, AReissueAfterALossIsChargedButTheResentLetterAndTheRevocationAreNot) {
  const auto lost = issue("1", "l1").at(0);
  const auto number = lost.number.substr(0, lost.number.rfind('-'));
  ASSERT_TRUE(print_notice_letters(env.services, issuer).has_value());
  auto resent = reprint_notice_letter(env.services, issuer, number);
  ASSERT_TRUE(resent.has_value()) << error_of(resent).key;
  EXPECT_EQ(charges().size(), 1u) << "a resent letter is free";
  auto revoked = revoke_own_certificates(env.services, user,
                                         {{lost.number}, "keyCompromise", "2026-11-24", "l2"});
  ASSERT_TRUE(revoked.has_value()) << error_of(revoked).key;
  EXPECT_EQ(charges().size(), 1u) << "a revocation is free";

  env.clock.advance(days{3});
  const auto again = issue("1", "l3").at(0);
  const auto all = charges();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].issuance_number, again.number);
  EXPECT_EQ(all[0].kind, store::ChargeKind::issue);
  EXPECT_EQ(all[0].issued_on, "2026-11-27");
  EXPECT_EQ(all[1].issuance_number, lost.number) << "the lost one's charge stays";
}

TEST_F(BillingTest, AMonthIsClosedOnceWithTheSameFilesAndOneMail) {
  issue("2", "b5");                                        // deduction
  approve_and_issue(apply_paying("3", "b6", "transfer"));  // one invoice
  EXPECT_EQ(error_of(close_billing_month(env.services, admin, "2026-11")).key,
            "billing.month_not_over");
  EXPECT_EQ(error_of(close_billing_month(env.services, issuer, "2026-11")).code,
            FailureCode::forbidden);
  EXPECT_EQ(error_of(close_billing_month(env.services, admin, "2026/11")).fields.at(0).field,
            "month");

  env.clock.set(sys_days{2026y / December / 2d} + hours{1});
  const auto before = mails();
  auto first = close_billing_month(env.services, admin, "2026-11");
  ASSERT_TRUE(first.has_value()) << error_of(first).key;
  EXPECT_FALSE(first->repeated);
  EXPECT_EQ(first->close.charges, 5);
  EXPECT_EQ(first->close.issued_on, "2026-12-02");
  EXPECT_EQ(first->close.due_on, "2027-01-29") << "the last business day of the next month";
  ASSERT_EQ(first->invoices.size(), 1u);
  const auto& inv = first->invoices[0];
  EXPECT_EQ(inv.number, "202611-1310123455");
  EXPECT_EQ(inv.items, 3);
  EXPECT_EQ(inv.subtotal_yen, 4500);
  EXPECT_EQ(inv.tax_yen, 450);
  EXPECT_EQ(inv.total_yen, 4950);
  EXPECT_EQ(mails(), before + 1) << "the form's address is the account's: one mail";
  const std::string csv = first->close.deduction_csv;
  EXPECT_EQ(csv,
            "\xEF\xBB\xBF医療機関コード,医療機関名称,件数,控除額（税込）\r\n"
            "1310123455,テストクリニック,2,3300\r\n");

  const auto files = billing_files(env.services, *first);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].name, "deduction-2026-11.csv");
  EXPECT_EQ(files[1].name, "invoice-202611-1310123455.pdf");
  ASSERT_TRUE(files[1].bytes.starts_with("%PDF-"));

  env.clock.advance(hours{3});
  auto again = close_billing_month(env.services, admin, "2026-11");
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->repeated);
  EXPECT_EQ(mails(), before + 1) << "no second mail";
  const auto files_again = billing_files(env.services, *again);
  ASSERT_EQ(files_again.size(), files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    EXPECT_EQ(files_again[i].name, files[i].name);
    EXPECT_EQ(files_again[i].bytes, files[i].bytes) << files[i].name;
  }
  for (const auto& ch : charges()) EXPECT_EQ(ch.close_id, first->close.id);
  EXPECT_EQ(error_of(close_billing_month(env.services, admin, "2026-10")).key,
            "billing.after_later_close");
}

TEST_F(BillingTest, TheInvoiceIsOnePageOfTwentyItemsWithItsNumbersAndTotals) {
  approve_and_issue(apply_paying("20", "b7", "transfer"));
  env.clock.set(sys_days{2026y / December / 2d} + hours{1});
  auto closed = close_billing_month(env.services, admin, "2026-11");
  ASSERT_TRUE(closed.has_value()) << error_of(closed).key;
  const auto bytes = billing_files(env.services, *closed).at(1).bytes;
  EXPECT_LT(bytes.size(), 150'000u) << "the fonts are subset to the invoice's characters";
  const auto pdf = file("invoice.pdf", bytes);
  const auto info = run("pdfinfo '" + pdf.string() + "'");
  EXPECT_TRUE(std::regex_search(info, std::regex("\nPages: +1\n"))) << info;
  const auto text = run("pdftotext -layout '" + pdf.string() + "' -");
  for (const char* expected : {"請求書", "T7000012050002", "202611-1310123455", "C-00000001-20",
                               "30,000円", "3,000円", "33,000円", "2027年1月29日", "振込手数料"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  }
}

TEST_F(BillingTest, NoInvoiceIsMadeWithoutTheRegistrationNumber) {
  approve_and_issue(apply_paying("1", "b8", "transfer"));
  env.config.billing.registration_number.clear();
  env.clock.set(sys_days{2026y / December / 2d} + hours{1});
  EXPECT_EQ(error_of(close_billing_month(env.services, admin, "2026-11")).key,
            "billing.not_configured");
  EXPECT_FALSE(find_billing_close(env.services, "2026-11").has_value()) << "nothing stored";
}

TEST_F(BillingTest, TransfersReceivedAreRecordedAgainstTheInvoice) {
  approve_and_issue(apply_paying("1", "b9", "transfer"));
  env.clock.set(sys_days{2026y / December / 2d} + hours{1});
  ASSERT_TRUE(close_billing_month(env.services, admin, "2026-11").has_value());
  const auto bad = record_payment(env.services, admin, "202611-1310123455", "abc", "2027-01-01");
  ASSERT_FALSE(bad.has_value());
  ASSERT_EQ(bad.error().fields.size(), 2u);
  EXPECT_EQ(bad.error().fields[0].key, "payment.amount_invalid");
  EXPECT_EQ(bad.error().fields[1].key, "payment.received_on_future");
  EXPECT_EQ(
      error_of(record_payment(env.services, issuer, "202611-1310123455", "1650", "2026-12-02"))
          .code,
      FailureCode::forbidden);
  EXPECT_EQ(
      error_of(record_payment(env.services, admin, "202611-0000000000", "1650", "2026-12-02")).key,
      "billing.no_such_invoice");
  const auto over = record_payment(env.services, admin, "202611-1310123455", "1,651", "2026-12-02");
  ASSERT_FALSE(over.has_value());
  ASSERT_EQ(over.error().fields.size(), 1u);
  EXPECT_EQ(over.error().fields[0].field, "amount");
  EXPECT_EQ(over.error().fields[0].key, "billing_refused.over_balance");
  EXPECT_EQ(over.error().fields[0].args, std::vector<std::string>{"1,650"});
  auto part = record_payment(env.services, admin, "２０２６１１-1310123455", "1,000", "2026-12-02");
  ASSERT_TRUE(part.has_value()) << error_of(part).key;
  EXPECT_EQ(part->amount_yen, 1000);
  EXPECT_EQ(error_of(record_payment(env.services, admin, "202611-1310123455", "1000", "2026-12-02"))
                .fields.at(0)
                .args,
            std::vector<std::string>{"650"})
      << "the same transfer again is more than is left";
  ASSERT_TRUE(record_payment(env.services, admin, "202611-1310123455", "650", "2026-12-02"));
  const auto twice = record_payment(env.services, admin, "202611-1310123455", "abc", "2026-12-02");
  ASSERT_FALSE(twice.has_value());
  ASSERT_EQ(twice.error().fields.size(), 1u) << "paid in full: one reason, whatever was typed";
  EXPECT_EQ(twice.error().fields[0].key, "billing_refused.already_paid");
  const auto inv = find_own_invoice(env.services, user.institution.id, "202611-1310123455");
  ASSERT_TRUE(inv.has_value());
  EXPECT_EQ(inv->received_yen, 1650);
  EXPECT_FALSE(find_own_invoice(env.services, user.institution.id + 1, "202611-1310123455"))
      << "another institution's invoice is none";
}

}  // namespace
}  // namespace onshi::app
