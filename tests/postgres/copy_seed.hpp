#pragma once
// DbCopy::populate (copy_env.hpp): an installation's worth of rows, through the repositories.
#include "postgres/copy_env.hpp"

namespace onshi::store::copy::testing {

inline DbCopy::Seeded DbCopy::populate() {
  Seeded s;
  s.a = clinic("1310123455", "a@example.jp");
  s.b = clinic("2710987654", "b@example.jp");
  for (int i = 0; i < 256; ++i) s.der.push_back(static_cast<char>(i));
  s.der += std::string("\xff\x00\xff\x00", 4);
  s.serial = "0a1b2c";
  s.revoked_serial = "0d0e0f";
  s.crl_der = std::string("\x30\x82\x00\xff\x00", 5) + "crl";

  db().write([&](WriteTx& tx) {
    auto change = usage_record(s.a.institution, s.a.account, "change-key");
    change.version = 2;
    change.changes_id = s.a.usage.id;
    change.terminals = 3;
    s.change = tx.usage_applications().insert_usage_application(change).id;

    tx.accounts().set_account_verified(s.a.account, 1500);
    s.op = tx.operators().insert_operator(operator_record("reviewer1"));
    tx.operators().insert_operator_session({"op-session-hash", s.op, 1000, 1200});
    tx.certificate_applications().set_certificate_application_approved_by(s.a.application.id, s.op);
    tx.sessions().insert_session({"session-hash", s.a.account, 1000, 1100});
    tx.tokens().insert_token(TokenKind::verify_email, "token-hash", s.a.account, 9000, 1000);
    tx.tokens().insert_api_token(s.a.account, "api-token-hash", "ベンダ株式会社", 1000);
    tx.tokens().count_login_attempt("account:x@example.jp", 1000);
    tx.settings().put_setting("csrf_key", "0123456789abcdef");

    tx.outbox().enqueue_mail(
        {"a@example.jp", "【オン資】ご登録ありがとうございます", "本文\n2行目", true},
        "<m1@onshi.test>", 1000);
    const Id sent = tx.outbox().enqueue_mail({"b@example.jp", "件名", "送信済みの本文", false},
                                             "<m2@onshi.test>", 1000);
    tx.outbox().mark_mail_sent(sent, 2000);
    tx.outbox().enqueue_mail({"c@example.jp", "再送", "失敗した本文", false}, "<m3@onshi.test>",
                             1000);

    auto cert = certificate_record(s.a.institution, s.a.application.id, s.serial,
                                   s.a.application.number + "-01");
    cert.der = s.der;
    cert.issuer_key_id = "aa11";
    cert.sealed_key = "-----BEGIN SEALED KEY-----";
    cert.issued_by = s.op;
    EXPECT_TRUE(tx.certificates().try_insert_certificate(cert));
    auto revoked = certificate_record(s.a.institution, s.a.application.id, s.revoked_serial,
                                      s.a.application.number + "-02");
    revoked.issuer_key_id = "aa11";
    EXPECT_TRUE(tx.certificates().try_insert_certificate(revoked));

    OcspResponderRecord responder;
    responder.issuer_key_id = "aa11";
    responder.serial_hex = "r1";
    responder.der = std::string("\x30\x82\x00\xff", 4);
    responder.sealed_key = "sealed responder key";
    responder.not_before = 1000;
    responder.not_after = 900'000;
    responder.created_at = 1000;
    const Id responder_id = *tx.ocsp().try_insert_ocsp_responder(responder, 0);
    const auto first = tx.certificates().find_certificate_by_serial(s.serial);
    OcspStoredResponse response;
    response.certificate_id = first->id;
    response.der = std::string("\x30\x03\x0a\x01\x00", 5);
    response.this_update = 2000;
    response.next_update = 3000;
    response.refresh_at = 2500;
    response.responder_id = responder_id;
    EXPECT_TRUE(tx.ocsp().try_store_ocsp_response(response));
    tx.certificates().insert_download({0, first->id, 7100, "192.0.2.1", "pkcs12-standard"});
    EXPECT_TRUE(tx.certificates().mark_picked_up(first->id, 7100));
  });
  // Revoked in a transaction of its own: the trigger moves the OCSP epoch (a migration's row) to 1.
  db().write([&](WriteTx& tx) {
    const auto r = tx.certificates().find_certificate_by_serial(s.revoked_serial);
    EXPECT_TRUE(tx.certificates().revoke_certificate(r->id, 1, 8000, std::nullopt));
    EXPECT_TRUE(tx.certificates().try_insert_revocation_request(
        {0, s.a.institution, s.a.account, "revoke-key", {r->issuance_number}, 1, 8000}));
  });
  db().write([&](WriteTx& tx) {
    IssuanceReservation r;
    r.application_id = s.b.application.id;
    r.position = 1;
    r.public_key_der = std::string("\x30\x59\x00\xff", 4);
    r.reserved_at = 9000;
    r.planned = certificate_record(s.b.institution, s.b.application.id, "1e1f",
                                   s.b.application.number + "-01");
    r.planned.issued_by = std::nullopt;
    r.planned.sealed_key = "sealed key";
    r.planned.sealed_pickup_code = "sealed code";
    EXPECT_TRUE(tx.issuance().try_reserve(r));

    const Id letter = tx.letters().insert_notice_letter(s.a.application.id, 3000);
    tx.letters().mark_notice_letter_printed(letter, 3100);
    EXPECT_TRUE(
        tx.letters().record_registered_mail(letter, "123456789012", "2026-12-09", s.op, 3200));
    tx.letters().mark_notice_letter_reprinted(letter, 3300);
    // The resend: the first mailing moves to notice_letter_mailings.
    EXPECT_TRUE(
        tx.letters().record_registered_mail(letter, "210987654321", "2026-12-10", s.op, 3400));

    CrlRecord crl;
    crl.issuer_key_id = "aa11";
    crl.this_update = 8100;
    crl.next_update = 90'000;
    crl.created_at = 8100;
    s.crl_number = tx.crls().reserve_crl(crl);
    EXPECT_TRUE(tx.crls().record_crl("aa11", s.crl_number, s.crl_der, 1));
  });
  for (int i = 1; i <= 5; ++i) {
    db().write([&](WriteTx& tx) {
      tx.audit().append_audit({"operator:1", "application.approve", "C-0000000" + std::to_string(i),
                               R"({"note":"承認しました","n":)" + std::to_string(i) + "}"},
                              10'000 + i);
    });
  }
  return s;
}

}  // namespace onshi::store::copy::testing
