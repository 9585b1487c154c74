// The store contract, part 3: usage and certificate applications and certificates (notice letters:
// contract_letters_test.cpp).
#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "contract_env.hpp"

namespace onshi::store::contract {
namespace {

// "U-" or "C-" and 8 digits.
bool is_number(const std::string& number, char kind) {
  return number.size() == 10 && number[0] == kind && number[1] == '-' &&
         std::all_of(number.begin() + 2, number.end(),
                     [](unsigned char ch) { return std::isdigit(ch) != 0; });
}

class ContractApplications : public StoreContract {};

TEST_P(ContractApplications, UsageApplicationsAreNumberedAndFoundByKeyWithinTheirInstitution) {
  const Id a = institution("1310123455");
  const Id b = institution("1310123463");
  const Id acct_a = account(a, "a@example.jp");
  const Id acct_b = account(b, "b@example.jp");
  const auto insert = [&](const UsageApplicationRecord& u) {
    return db().write(
        [&](WriteTx& tx) { return tx.usage_applications().insert_usage_application(u); });
  };
  const auto first_a = insert(usage_record(a, acct_a, "k1"));
  const auto first_b = insert(usage_record(b, acct_b, "k1"));  // another institution's key
  EXPECT_GT(first_a.id, 0);
  EXPECT_TRUE(is_number(first_a.number, 'U')) << first_a.number;
  EXPECT_TRUE(is_number(first_b.number, 'U')) << first_b.number;
  EXPECT_NE(first_a.number, first_b.number);
  db().read([&](ReadTx& tx) {
    const auto got = tx.usage_applications().find_usage_application_by_key(a, "k1");
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->id, first_a.id);
    EXPECT_EQ(got->number, first_a.number);
    EXPECT_EQ(got->account_id, acct_a);
    EXPECT_EQ(got->version, 1);
    EXPECT_FALSE(got->changes_id.has_value());
    EXPECT_EQ(got->line_type, "flets_next_east");
    EXPECT_EQ(got->customer_id, "CAF1234567890");
    EXPECT_EQ(got->start_date, "2026-12-20");
    EXPECT_EQ(got->terminals, 2);
    EXPECT_EQ(got->vendor_name, "ベンダ株式会社");
    EXPECT_EQ(got->vendor_contact, "担当 一郎");
    EXPECT_EQ(got->vendor_phone, "0312345678");
    EXPECT_EQ(got->finalized_at, 2000);
    EXPECT_EQ(tx.usage_applications().find_usage_application_by_key(b, "k1")->id, first_b.id);
    EXPECT_FALSE(tx.usage_applications().find_usage_application_by_key(a, "k2").has_value());
    EXPECT_EQ(tx.usage_applications().find_usage_application(a, first_a.number)->id, first_a.id);
    EXPECT_FALSE(tx.usage_applications().find_usage_application(b, first_a.number).has_value())
        << "another institution's application is not found by its number";
  });
  UsageApplicationRecord change = usage_record(a, acct_a, "k2");
  change.version = 2;
  change.changes_id = first_a.id;
  change.terminals = 3;
  const auto second_a = insert(change);
  EXPECT_TRUE(is_number(second_a.number, 'U'));
  const auto list =
      db().read([&](ReadTx& tx) { return tx.usage_applications().usage_applications_of(a); });
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].id, second_a.id) << "newest version first";
  EXPECT_EQ(list[0].changes_id, std::optional<Id>(first_a.id));
  EXPECT_EQ(list[1].id, first_a.id);
  UsageApplicationRecord again = usage_record(a, acct_a, "k1");  // the key of first_a
  again.version = 3;
  again.changes_id = second_a.id;
  EXPECT_THROW(insert(again), UniqueViolation);
}

TEST_P(ContractApplications, CertificateApplicationsAreNumberedAndScopedToTheirInstitution) {
  const Clinic c = clinic("1310123455", "a@example.jp");
  const Clinic d = clinic("1310123463", "b@example.jp");  // the same key, "cert-key"
  EXPECT_TRUE(is_number(c.application.number, 'C')) << c.application.number;
  EXPECT_NE(c.application.number, d.application.number);
  db().read([&](ReadTx& tx) {
    auto& apps = tx.certificate_applications();
    const auto got = apps.find_certificate_application_by_key(c.institution, "cert-key");
    ASSERT_TRUE(got.has_value());
    const auto& want = c.application;
    EXPECT_EQ(got->id, want.id);
    EXPECT_EQ(got->number, want.number);
    EXPECT_EQ(got->usage_application_id, c.usage.id);
    EXPECT_EQ(got->prefecture, 13);
    EXPECT_EQ(got->institution_name, "テスト医院");
    EXPECT_EQ(got->signature_name, "山田 太郎");
    EXPECT_EQ(got->postal_code, "1040061");
    EXPECT_EQ(got->address_line, "銀座1-2-3");
    EXPECT_EQ(got->certificates, 2);
    EXPECT_EQ(got->total_yen, 3300);
    EXPECT_EQ(got->expected_notice_on, "2026-12-08");
    EXPECT_EQ(domain::state_key(got->status), "applied");
    EXPECT_EQ(got->status_note, "");
    EXPECT_EQ(got->applied_at, 3000);
    EXPECT_FALSE(got->approved_by.has_value());
    EXPECT_EQ(apps.find_certificate_application_by_key(d.institution, "cert-key")->id,
              d.application.id);
    EXPECT_EQ(apps.find_certificate_application(c.institution, want.number)->id, want.id);
    EXPECT_FALSE(apps.find_certificate_application(d.institution, want.number).has_value());
    EXPECT_EQ(apps.find_certificate_application_by_number(want.number)->institution_id,
              c.institution);
    EXPECT_EQ(apps.find_certificate_application_by_id(d.application.id)->number,
              d.application.number);
    EXPECT_FALSE(apps.find_certificate_application_by_number("C-99999999").has_value());
  });
  const auto insert = [&](const std::string& key) {
    return db().write([&](WriteTx& tx) {
      return tx.certificate_applications().insert_certificate_application(
          certificate_application_record(c.institution, c.account, c.usage.id, key));
    });
  };
  EXPECT_THROW(insert("cert-key"), UniqueViolation);
  const auto second = insert("cert-key-2");
  const auto mine = db().read([&](ReadTx& tx) {
    return tx.certificate_applications().certificate_applications_of(c.institution);
  });
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0].id, second.id) << "newest first";
  EXPECT_EQ(mine[1].id, c.application.id);
}

TEST_P(ContractApplications, AStatusChangeHappensOnlyFromTheStatusItNames) {
  const Clinic c = clinic("1310123455", "a@example.jp");
  const Id id = c.application.id;
  const auto move = [&](const char* from, const char* to, const char* note, Millis now) {
    return db().write([&](WriteTx& tx) {
      return tx.certificate_applications().set_certificate_application_status(id, st(from), st(to),
                                                                              note, now);
    });
  };
  const auto current = [&] {
    return *db().read([&](ReadTx& tx) {
      return tx.certificate_applications().find_certificate_application_by_id(id);
    });
  };
  EXPECT_TRUE(move("applied", "under_review", "", 4000));
  EXPECT_EQ(domain::state_key(current().status), "under_review");
  EXPECT_EQ(current().updated_at, 4000);
  EXPECT_FALSE(move("applied", "cancelled", "", 4100)) << "the status moved on";
  EXPECT_EQ(domain::state_key(current().status), "under_review");
  EXPECT_EQ(current().updated_at, 4000);
  EXPECT_TRUE(move("under_review", "returned", "住所を確認してください", 4200));
  EXPECT_EQ(current().status_note, "住所を確認してください");

  CertificateApplicationRecord again = current();
  again.address_line = "銀座4-5-6";
  again.certificates = 3;
  again.total_yen = 4950;
  again.idempotency_key = "cert-key-again";
  again.status = st("applied");
  again.updated_at = 4300;
  const auto resubmit = [&] {
    return db().write([&](WriteTx& tx) {
      return tx.certificate_applications().resubmit_certificate_application(again);
    });
  };
  EXPECT_TRUE(resubmit());
  EXPECT_EQ(domain::state_key(current().status), "applied");
  EXPECT_EQ(current().status_note, "") << "the note is cleared";
  EXPECT_EQ(current().address_line, "銀座4-5-6");
  EXPECT_EQ(current().certificates, 3);
  EXPECT_EQ(current().idempotency_key, "cert-key-again");
  EXPECT_EQ(current().number, c.application.number);
  EXPECT_FALSE(resubmit()) << "only while returned";

  const Id op = db().write(
      [](WriteTx& tx) { return tx.operators().insert_operator(operator_record("rev")); });
  db().write([&](WriteTx& tx) {
    tx.certificate_applications().set_certificate_application_approved_by(id, op);
  });
  EXPECT_EQ(current().approved_by, std::optional<Id>(op));
  db().write([&](WriteTx& tx) {
    tx.certificate_applications().set_certificate_application_approved_by(id, std::nullopt);
  });
  EXPECT_FALSE(current().approved_by.has_value());
}

TEST_P(ContractApplications, TheBackOfficeFilter) {
  const Clinic c = clinic("1310123455", "a@example.jp");
  auto osaka = certificate_application_record(c.institution, c.account, c.usage.id, "k-osaka");
  osaka.prefecture = 27;
  osaka.applied_on = "2026-12-03";
  osaka.applied_at = 2000;  // applied before c's
  const auto o = db().write([&](WriteTx& tx) {
    return tx.certificate_applications().insert_certificate_application(osaka);
  });
  const auto find = [&](const std::function<void(ApplicationFilter&)>& set = {}) {
    ApplicationFilter f;
    if (set) set(f);
    std::vector<Id> ids;
    for (const auto& a : db().read([&](ReadTx& tx) {
           return tx.certificate_applications().find_certificate_applications(f);
         })) {
      ids.push_back(a.id);
    }
    return ids;
  };
  EXPECT_EQ(find(), (std::vector<Id>{o.id, c.application.id})) << "by applied_at";
  EXPECT_EQ(find([&](ApplicationFilter& f) { f.prefecture = 27; }), std::vector<Id>{o.id});
  EXPECT_EQ(find([&](ApplicationFilter& f) { f.applied_from = "2026-12-02"; }),
            std::vector<Id>{o.id});
  EXPECT_EQ(find([&](ApplicationFilter& f) { f.applied_to = "2026-12-01"; }),
            std::vector<Id>{c.application.id});
  EXPECT_EQ(find([&](ApplicationFilter& f) { f.number = c.application.number; }),
            std::vector<Id>{c.application.id});
  EXPECT_EQ(find([&](ApplicationFilter& f) { f.limit = 1; }), std::vector<Id>{o.id});
  db().write([&](WriteTx& tx) {
    tx.certificate_applications().set_certificate_application_status(o.id, st("applied"),
                                                                     st("approved"), "", 5000);
  });
  EXPECT_EQ(find([&](ApplicationFilter& f) { f.statuses = {st("approved")}; }),
            std::vector<Id>{o.id});
  EXPECT_EQ(find([&](ApplicationFilter& f) {
              f.statuses = {st("applied"), st("approved")};
            }).size(),
            2u);
  EXPECT_TRUE(find([&](ApplicationFilter& f) { f.statuses = {st("rejected")}; }).empty());
}

class ContractCertificates : public StoreContract {};

TEST_P(ContractCertificates, ATakenSerialOrNumberIsRefusedAndTheTransactionGoesOn) {
  const Clinic c = clinic("1310123455", "a@example.jp");
  const Id app = c.application.id;
  auto first = certificate_record(c.institution, app, "aa01", "C-00000001-01");
  first.sealed_pickup_code = "sealed";
  first.sealed_key = "sealed-key";
  EXPECT_TRUE(
      db().write([&](WriteTx& tx) { return tx.certificates().try_insert_certificate(first); }));
  const auto answers = db().write([&](WriteTx& tx) {
    std::vector<bool> out;
    out.push_back(tx.certificates().try_insert_certificate(
        certificate_record(c.institution, app, "aa01", "C-00000001-02")));  // taken serial
    out.push_back(tx.certificates().try_insert_certificate(
        certificate_record(c.institution, app, "bb02", "C-00000001-01")));  // taken number
    auto next = certificate_record(c.institution, app, "bb02", "C-00000001-02");
    next.terminal = "T02";
    out.push_back(tx.certificates().try_insert_certificate(next));
    tx.settings().put_setting("after", "still usable");
    return out;
  });
  EXPECT_EQ(answers, (std::vector<bool>{false, false, true}));
  db().read([&](ReadTx& tx) {
    EXPECT_EQ(tx.settings().setting("after"), std::optional<std::string>("still usable"));
    const auto all = tx.certificates().certificates_of_application(app);
    ASSERT_EQ(all.size(), 2u) << "the later insert of that transaction was committed";
    EXPECT_EQ(all[0].serial_hex, "aa01");
    EXPECT_EQ(all[0].issuance_number, "C-00000001-01");
    EXPECT_EQ(all[0].der, std::string("\x30\x00\x82\xff", 4)) << "bytes, not text";
    EXPECT_EQ(all[0].sealed_pickup_code, std::optional<std::string>("sealed"));
    EXPECT_EQ(all[0].sealed_key, std::optional<std::string>("sealed-key"));
    EXPECT_EQ(all[0].not_after, 5000);
    EXPECT_EQ(all[0].pickup_expires_at, 6000);
    EXPECT_FALSE(all[0].revoked_at.has_value());
    EXPECT_EQ(all[1].serial_hex, "bb02");
    EXPECT_FALSE(all[1].sealed_pickup_code.has_value());
    const auto rows = tx.certificates().certificates_of(c.institution);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].terminal, "T01");
    EXPECT_EQ(rows[1].terminal, "T02");
    EXPECT_EQ(domain::state_key(rows[1].status), "issued");
    auto terminals = tx.certificates().terminals_of(c.institution);
    std::sort(terminals.begin(), terminals.end());
    EXPECT_EQ(terminals, (std::vector<std::string>{"T01", "T02"}));
    EXPECT_TRUE(tx.certificates().public_key_certified("spki-aa01"));
    EXPECT_FALSE(tx.certificates().public_key_certified("spki-cc03"));
    EXPECT_TRUE(tx.certificates().certificates_of(c.institution + 1).empty());
  });
}

INSTANTIATE_TEST_SUITE_P(Backends, ContractApplications, ::testing::ValuesIn(backends()),
                         backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, ContractCertificates, ::testing::ValuesIn(backends()),
                         backend_name);

}  // namespace
}  // namespace onshi::store::contract
