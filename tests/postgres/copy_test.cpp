// `onshi db copy` (store/copy.hpp): an SQLite installation copied into PostgreSQL holds every row
// and byte of the source, reads back the same through the repositories, and takes new rows after
// the copied ones.
#include <functional>

#include "postgres/copy_seed.hpp"

namespace onshi::store::copy::testing {
namespace {

// The chain check `onshi audit verify` makes (app/core/audit.cpp), which store/'s tests cannot
// link: each entry numbered in turn, linked to the one before and hashing to what it holds.
std::optional<std::string> chain_breaks(ReadTx& tx) {
  std::optional<std::string> problem;
  std::string prev = "genesis";
  std::int64_t seq = 1;
  tx.audit().scan_audit([&](const AuditRecord& e) {
    if (e.seq != seq || e.prev_hash != prev || contract::audit_hash(e) != e.hash) {
      problem = "audit entry " + std::to_string(e.seq) + " breaks the chain";
      return false;
    }
    prev = e.hash;
    ++seq;
    return true;
  });
  return problem;
}

std::string opt(const std::optional<std::int64_t>& v) {
  return v ? std::to_string(*v) : "-";
}
std::string opt(const std::optional<std::string>& v) {
  return v ? *v : "-";
}

// What the use cases read of a populated installation, as lines to compare between the engines.
std::vector<std::string> what_the_repositories_read(Database& d, const DbCopy::Seeded& s) {
  return d.read([&](ReadTx& tx) {
    std::vector<std::string> out;
    for (const auto& a : tx.accounts().list_accounts()) {
      out.push_back("account " + std::to_string(a.account.id) + " " + a.account.email + " " +
                    opt(a.account.verified_at) + " " + a.institution.code + " " +
                    a.institution.name);
    }
    for (const Id institution : {s.a.institution, s.b.institution}) {
      for (const auto& u : tx.usage_applications().usage_applications_of(institution)) {
        out.push_back("usage " + u.number + " v" + std::to_string(u.version) + " changes " +
                      opt(u.changes_id) + " " + u.vendor_name);
      }
      for (const auto& c : tx.certificate_applications().certificate_applications_of(institution))
        out.push_back("application " + c.number + " " + c.institution_name + " " +
                      opt(c.approved_by) + " " + std::to_string(c.total_yen));
    }
    for (const auto& serial : {s.serial, s.revoked_serial}) {
      const auto c = tx.certificates().find_certificate_by_serial(serial);
      out.push_back("certificate " + c->serial_hex + " " + c->der + " " + opt(c->sealed_key) + " " +
                    opt(c->revoked_at) + " " + opt(c->picked_up_at) + " " + c->issuer_key_id);
      for (const auto& d2 : tx.certificates().downloads_of(c->id))
        out.push_back("download " + std::to_string(d2.downloaded_at) + " " + d2.what);
    }
    const auto status = tx.ocsp().ocsp_status("aa11", s.serial, OcspHashAlgorithm::sha1);
    out.push_back("ocsp " + (status && status->response ? status->response->der : "none") + " " +
                  std::to_string(tx.ocsp().ocsp_epoch()));
    const auto crl = tx.crls().latest_crl("aa11", false, true);
    out.push_back("crl " + std::to_string(crl->crl_number) + " " + crl->der);
    for (const auto& e : tx.audit().audit_entries({}))
      out.push_back("audit " + std::to_string(e.seq) + " " + e.detail + " " + e.hash);
    for (const auto& m : tx.outbox().due_mail(1'000'000, 10))
      out.push_back("mail " + m.to + " " + m.subject + " " + m.body + " " + m.message_id);
    out.push_back("pending " + std::to_string(tx.outbox().pending_mail_count()));
    for (const auto& o : tx.operators().list_operators())
      out.push_back("operator " + o.login + " " + o.display_name + " " + o.totp_secret);
    out.push_back(
        "operator session " +
        std::to_string(tx.operators().find_operator_session("op-session-hash").has_value()));
    out.push_back("session " +
                  std::to_string(tx.sessions().find_session("session-hash")->account_id));
    out.push_back("token " + tx.tokens().find_api_token("api-token-hash")->label);
    out.push_back("throttle " +
                  std::to_string(tx.tokens().login_throttle("account:x@example.jp").failures));
    out.push_back("setting " + opt(tx.settings().setting("csrf_key")));
    const auto letter = tx.letters().notice_letter_of(s.a.application.id);
    out.push_back("letter " + opt(letter->tracking_number) + " " + opt(letter->printed_at));
    out.push_back("mailed as " + opt(tx.letters().application_mailed_as("123456789012")));
    for (const auto& r : tx.issuance().reserved_for(s.b.application.id))
      out.push_back("reservation " + r.planned.serial_hex + " " + r.public_key_der);
    return out;
  });
}

std::size_t position(const CopyReport& r, const std::string& table) {
  for (std::size_t i = 0; i < r.tables.size(); ++i) {
    if (r.tables[i].name == table) return i;
  }
  ADD_FAILURE() << table << " was not copied";
  return r.tables.size();
}

TEST_P(DbCopy, EveryRowAndByteArrivesAndTheRepositoriesReadTheSame) {
  const Seeded s = populate();
  int checks = 0;
  std::vector<std::string> progressed;
  CopyOptions o;
  o.check = [&](ReadTx& tx) {
    ++checks;
    return chain_breaks(tx);
  };
  o.progress = [&](const TableCopied& t) { progressed.push_back(t.name); };
  const auto r = copy(o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(checks, 2) << "the source before, the copy before it commits";
  EXPECT_EQ(r->schema_version, current_schema_version());
  ASSERT_EQ(progressed.size(), r->tables.size());
  for (const auto& t : r->tables) {
    EXPECT_EQ(t.source_rows, t.target_rows) << t.name;
    EXPECT_EQ(std::count(progressed.begin(), progressed.end(), t.name), 1) << t.name;
  }
  // Parents first.
  EXPECT_LT(position(*r, "institutions"), position(*r, "accounts"));
  EXPECT_LT(position(*r, "accounts"), position(*r, "usage_applications"));
  EXPECT_LT(position(*r, "usage_applications"), position(*r, "certificate_applications"));
  EXPECT_LT(position(*r, "certificates"), position(*r, "ocsp_responses"));
  EXPECT_LT(position(*r, "ocsp_responders"), position(*r, "ocsp_responses"));
  EXPECT_LT(position(*r, "notice_letters"), position(*r, "notice_letter_mailings"));
  EXPECT_EQ(std::count(progressed.begin(), progressed.end(), "schema_migrations"), 0)
      << "the target's migrate wrote it";

  expect_same_rows(target());
  EXPECT_EQ(target_count("notice_letter_mailings"), 1);
  EXPECT_EQ(target_count("ocsp_epoch"), 1) << "the migration's row replaced by the source's";

  const auto pg = open_database(target(), 2);
  EXPECT_EQ(pg->schema_version(), current_schema_version());
  const auto on_sqlite = what_the_repositories_read(db(), s);
  const auto on_postgres = what_the_repositories_read(*pg, s);
  EXPECT_EQ(on_postgres, on_sqlite);
  EXPECT_GT(on_sqlite.size(), 25u);
  pg->read([&](ReadTx& tx) {
    EXPECT_EQ(chain_breaks(tx), std::nullopt);
    EXPECT_EQ(tx.ocsp().ocsp_epoch(), 1) << "the source's epoch, moved by its revocation";
    EXPECT_EQ(tx.certificates().find_certificate_by_serial(s.serial)->der, s.der);
    EXPECT_EQ(tx.audit().audit_entries({}).size(), 5u);
  });
}

TEST_P(DbCopy, NewRowsAfterTheCopyTakeTheNextIds) {
  const Seeded s = populate();
  const auto r = copy();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_GE(r->sequences_reset, 15);
  const auto pg = open_database(target(), 2);
  pg->write([&](WriteTx& tx) {
    const Id institution = tx.accounts().insert_institution("3310000001", "新しい医院", 20'000);
    EXPECT_EQ(institution, s.b.institution + 1);
    EXPECT_EQ(tx.accounts().insert_account(account_record(institution, "new@example.jp")),
              s.b.account + 1);
    EXPECT_EQ(tx.outbox().enqueue_mail({"new@example.jp", "件名", "本文", false},
                                       "<new@onshi.test>", 20'000),
              4);
    EXPECT_EQ(tx.operators().insert_operator(operator_record("reviewer2")), s.op + 1);
    const auto usage = tx.usage_applications().insert_usage_application(
        usage_record(institution, s.b.account + 1, "new-key"));
    EXPECT_EQ(usage.id, s.change + 1);
    tx.audit().append_audit({"cli", "account.create", "new@example.jp", "{}"}, 20'000);
  });
  pg->read([&](ReadTx& tx) {
    const auto head = tx.audit().audit_entries({});
    ASSERT_EQ(head.size(), 6u);
    EXPECT_EQ(head.front().seq, 6);
    EXPECT_EQ(chain_breaks(tx), std::nullopt) << "the new entry chains to the copied head";
  });
}

TEST_P(DbCopy, ManyRowsGoInBatchesOfAnySize) {
  populate();
  const auto bulk = raw_sql(
      source(),
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12345) "
      "INSERT INTO outbox (recipient, subject, body, message_id, next_attempt_at, created_at) "
      "SELECT 'r' || i || '@example.jp', '件名 ' || i, 'body ' || i, '<bulk-' || i || '@onshi>', "
      "1000 + i, 1000 FROM n");
  ASSERT_TRUE(bulk.ok) << bulk.error;
  // The default batches: 5,000 rows, or fewer when 12 columns' parameters would pass 65,535.
  const auto r = copy();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(target_count("outbox"), 12348);
  expect_same_rows(target());

  // Tiny batches, by rows and by bytes, into another database.
  const std::string other = make_database();
  CopyOptions o;
  o.batch_rows = 7;
  ASSERT_TRUE(copy_database(source(), other, o));
  expect_same_rows(other);
  const std::string third = make_database();
  o.batch_rows = 5000;
  o.batch_bytes = 100;
  ASSERT_TRUE(copy_database(source(), third, o));
  expect_same_rows(third);
}

INSTANTIATE_TEST_SUITE_P(SQLite, DbCopy, ::testing::ValuesIn(contract::backends()),
                         contract::backend_name);

}  // namespace
}  // namespace onshi::store::copy::testing
