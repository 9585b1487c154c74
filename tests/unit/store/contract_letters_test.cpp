// The store contract, part 3b: notice letters and their registered mail.
#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "contract_env.hpp"

namespace onshi::store::contract {
namespace {

class ContractLetters : public StoreContract {};

TEST_P(ContractLetters, PrintingErasesThePickupCodesAndMailIsRecordedOnce) {
  const Clinic c = clinic("1310123455", "a@example.jp");
  const Clinic d = clinic("1310123463", "b@example.jp");
  auto cert_c = certificate_record(c.institution, c.application.id, "c1", "C-1-01");
  auto cert_d = certificate_record(d.institution, d.application.id, "d1", "D-1-01");
  cert_c.sealed_pickup_code = cert_d.sealed_pickup_code = "sealed";
  const Id op = db().write([&](WriteTx& tx) {
    tx.certificates().try_insert_certificate(cert_c);
    tx.certificates().try_insert_certificate(cert_d);
    return tx.operators().insert_operator(operator_record("iss", "issuer"));
  });
  const Id lc = db().write(
      [&](WriteTx& tx) { return tx.letters().insert_notice_letter(c.application.id, 5000); });
  const Id ld = db().write(
      [&](WriteTx& tx) { return tx.letters().insert_notice_letter(d.application.id, 5001); });
  EXPECT_THROW(
      db().write([&](WriteTx& tx) { tx.letters().insert_notice_letter(c.application.id, 5002); }),
      UniqueViolation)
      << "one letter per application";
  const auto letter = [&](Id app) {
    return *db().read([&](ReadTx& tx) { return tx.letters().notice_letter_of(app); });
  };
  EXPECT_EQ(letter(c.application.id).id, lc);
  EXPECT_EQ(letter(c.application.id).created_at, 5000);
  EXPECT_FALSE(letter(c.application.id).printed_at.has_value());
  EXPECT_FALSE(letter(c.application.id).tracking_number.has_value());
  const auto unprinted = [&] {
    std::vector<Id> ids;
    for (const auto& l :
         db().read([](ReadTx& tx) { return tx.letters().unprinted_notice_letters(); }))
      ids.push_back(l.id);
    return ids;
  };
  EXPECT_EQ(unprinted(), (std::vector<Id>{lc, ld}));

  db().write([&](WriteTx& tx) { tx.letters().mark_notice_letter_printed(lc, 6000); });
  db().write([&](WriteTx& tx) { tx.letters().mark_notice_letter_printed(lc, 7000); });
  EXPECT_EQ(letter(c.application.id).printed_at, std::optional<Millis>(6000)) << "first print";
  EXPECT_EQ(unprinted(), std::vector<Id>{ld});
  db().read([&](ReadTx& tx) {
    EXPECT_FALSE(
        tx.certificates().certificates_of_application(c.application.id)[0].sealed_pickup_code);
    EXPECT_TRUE(
        tx.certificates().certificates_of_application(d.application.id)[0].sealed_pickup_code)
        << "another letter's certificate keeps its code";
  });

  const auto record = [&](const char* number) {
    return db().write([&](WriteTx& tx) {
      return tx.letters().record_registered_mail(lc, number, "2026-12-09", op, 8000);
    });
  };
  EXPECT_TRUE(record("123456789012"));
  EXPECT_FALSE(record("999999999999")) << "recorded already";
  const auto l = letter(c.application.id);
  EXPECT_EQ(l.tracking_number, std::optional<std::string>("123456789012"));
  EXPECT_EQ(l.mailed_on, std::optional<std::string>("2026-12-09"));
  EXPECT_EQ(l.recorded_by, std::optional<Id>(op));
  EXPECT_EQ(l.recorded_at, std::optional<Millis>(8000));
  db().read([&](ReadTx& tx) {
    EXPECT_EQ(tx.letters().application_mailed_as("123456789012"),
              std::optional<std::string>(c.application.number));
    EXPECT_FALSE(tx.letters().application_mailed_as("999999999999").has_value());
  });
}

TEST_P(ContractLetters, AReprintedLetterKeepsItsFirstMailingAndTakesTheResend) {
  const Clinic c = clinic("1310123455", "a@example.jp");
  auto cert = certificate_record(c.institution, c.application.id, "c1", "C-1-01");
  const Id op = db().write([&](WriteTx& tx) {
    tx.certificates().try_insert_certificate(cert);
    return tx.operators().insert_operator(operator_record("iss", "issuer"));
  });
  const Id id = db().write([&](WriteTx& tx) {
    const Id l = tx.letters().insert_notice_letter(c.application.id, 5000);
    tx.letters().mark_notice_letter_printed(l, 6000);
    return l;
  });
  const auto letter = [&] {
    return *db().read([&](ReadTx& tx) { return tx.letters().notice_letter_of(c.application.id); });
  };
  const auto record = [&](const char* number, Millis at) {
    return db().write([&](WriteTx& tx) {
      return tx.letters().record_registered_mail(id, number, "2026-12-09", op, at);
    });
  };
  const auto due = [&] {
    return db().read([](ReadTx& tx) { return tx.letters().resend_due_notice_letters(); }).size();
  };
  // Reprinted before posting: no resend is due, the first mailing is simply recorded later.
  db().write([&](WriteTx& tx) { tx.letters().mark_notice_letter_reprinted(id, 6500); });
  EXPECT_EQ(letter().reprinted_at, std::optional<Millis>(6500));
  EXPECT_FALSE(letter().resend_due);
  EXPECT_EQ(due(), 0u);
  ASSERT_TRUE(record("111111111111", 7000));
  EXPECT_FALSE(record("222222222222", 7100)) << "no resend due";

  db().write([&](WriteTx& tx) { tx.letters().mark_notice_letter_reprinted(id, 8000); });
  EXPECT_TRUE(letter().resend_due);
  EXPECT_EQ(due(), 1u);
  ASSERT_TRUE(record("222222222222", 9000));
  EXPECT_EQ(letter().tracking_number, std::optional<std::string>("222222222222"));
  EXPECT_EQ(letter().recorded_at, std::optional<Millis>(9000));
  EXPECT_FALSE(letter().resend_due);
  EXPECT_EQ(due(), 0u);
  EXPECT_FALSE(record("333333333333", 9100)) << "the resend is recorded once";
  db().read([&](ReadTx& tx) {
    for (const auto* n : {"111111111111", "222222222222"}) {
      EXPECT_EQ(tx.letters().application_mailed_as(n),
                std::optional<std::string>(c.application.number))
          << n << " stays used";
    }
  });
}

INSTANTIATE_TEST_SUITE_P(Backends, ContractLetters, ::testing::ValuesIn(backends()), backend_name);

}  // namespace
}  // namespace onshi::store::contract
