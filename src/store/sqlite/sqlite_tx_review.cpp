#include <fmt/format.h>

#include "store/sqlite/sqlite_tx.hpp"

namespace onshi::store::sqlite {
namespace {

constexpr const char* kCertificateColumns =
    "SELECT id, institution_id, application_id, issuance_number, terminal, serial_hex, subject, "
    "not_before, not_after, der, spki_sha256, key_source, sealed_key, status, pickup_code_hash, "
    "sealed_pickup_code, pickup_expires_at, pickup_failures, picked_up_at, revoked_at, "
    "revocation_reason, issued_by, "
    "issued_at FROM certificates ";

CertificateRecord read_certificate(const Statement& s) {
  CertificateRecord c;
  int i = 0;
  c.id = s.int64(i++);
  c.institution_id = s.int64(i++);
  c.application_id = s.int64(i++);
  c.issuance_number = s.text(i++);
  c.terminal = s.text(i++);
  c.serial_hex = s.text(i++);
  c.subject = s.text(i++);
  c.not_before = s.int64(i++);
  c.not_after = s.int64(i++);
  c.der = s.blob(i++);
  c.spki_sha256 = s.text(i++);
  c.key_source = s.text(i++);
  c.sealed_key = s.optional_text(i++);
  c.status = s.text(i++);
  c.pickup_code_hash = s.text(i++);
  c.sealed_pickup_code = s.optional_text(i++);
  c.pickup_expires_at = s.int64(i++);
  c.pickup_failures = s.integer(i++);
  c.picked_up_at = s.optional_int64(i++);
  c.revoked_at = s.optional_int64(i++);
  if (auto r = s.optional_int64(i++)) c.revocation_reason = static_cast<int>(*r);
  c.issued_by = s.optional_int64(i++);
  c.issued_at = s.int64(i++);
  return c;
}

NoticeLetterRecord read_letter(const Statement& s) {
  NoticeLetterRecord l;
  l.id = s.int64(0);
  l.application_id = s.int64(1);
  l.created_at = s.int64(2);
  l.printed_at = s.optional_int64(3);
  l.tracking_number = s.optional_text(4);
  l.mailed_on = s.optional_text(5);
  l.recorded_by = s.optional_int64(6);
  l.recorded_at = s.optional_int64(7);
  return l;
}

}  // namespace

std::vector<CertificateApplicationRecord> SqliteTx::find_certificate_applications(
    const ApplicationFilter& f) {
  // Every condition is always present and switched off by its own parameter, so the SQL text (and
  // its cached statement) stays the same whatever the filter.
  std::string statuses = "0";
  for (std::size_t i = 0; i < f.statuses.size(); ++i) statuses += fmt::format(", ?{}", 7 + i);
  const std::string sql = select_certificate_applications(fmt::format(
      "(?1 = 0 OR status IN ({})) AND (?2 = 0 OR prefecture = ?2) AND (?3 = '' OR applied_on >= "
      "?3) AND (?4 = '' OR applied_on <= ?4) AND (?5 = '' OR number = ?5) ORDER BY applied_at, "
      "id LIMIT ?6",
      statuses));
  auto s = c_.prepare(sql);
  s.bind(1, static_cast<std::int64_t>(f.statuses.size()))
      .bind(2, f.prefecture)
      .bind(3, f.applied_from)
      .bind(4, f.applied_to)
      .bind(5, f.number)
      .bind(6, f.limit);
  for (std::size_t i = 0; i < f.statuses.size(); ++i) {
    s.bind(static_cast<int>(7 + i), f.statuses[i]);
  }
  std::vector<CertificateApplicationRecord> out;
  while (s.step()) out.push_back(read_certificate_application(s));
  return out;
}

std::optional<CertificateApplicationRecord> SqliteTx::find_certificate_application_by_number(
    const std::string& number) {
  static const std::string sql = select_certificate_applications("number = ?");
  auto s = c_.prepare(sql);
  s.bind_all(number);
  if (!s.step()) return std::nullopt;
  return read_certificate_application(s);
}

std::optional<CertificateApplicationRecord> SqliteTx::find_certificate_application_by_id(Id id) {
  static const std::string sql = select_certificate_applications("id = ?");
  auto s = c_.prepare(sql);
  s.bind_all(id);
  if (!s.step()) return std::nullopt;
  return read_certificate_application(s);
}

void SqliteTx::set_certificate_application_approved_by(Id id, std::optional<Id> operator_id) {
  c_.prepare("UPDATE certificate_applications SET approved_by = ? WHERE id = ?")
      .bind_all(operator_id, id)
      .run();
}

Id SqliteTx::insert_certificate(const CertificateRecord& c) {
  c_.prepare(
        "INSERT INTO certificates (institution_id, application_id, issuance_number, terminal, "
        "serial_hex, subject, not_before, not_after, der, spki_sha256, key_source, sealed_key, "
        "status, pickup_code_hash, sealed_pickup_code, pickup_expires_at, issued_by, issued_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind_all(c.institution_id, c.application_id, c.issuance_number, c.terminal, c.serial_hex,
                c.subject, c.not_before, c.not_after, Blob{c.der}, c.spki_sha256, c.key_source,
                c.sealed_key, c.status, c.pickup_code_hash, c.sealed_pickup_code,
                c.pickup_expires_at, c.issued_by, c.issued_at)
      .run();
  return c_.last_insert_rowid();
}

std::vector<CertificateRecord> SqliteTx::certificates_of_application(Id application_id) {
  auto s = c_.prepare(std::string(kCertificateColumns) + "WHERE application_id = ? ORDER BY id");
  s.bind_all(application_id);
  std::vector<CertificateRecord> out;
  while (s.step()) out.push_back(read_certificate(s));
  return out;
}

bool SqliteTx::public_key_certified(const std::string& spki_sha256) {
  auto s = c_.prepare("SELECT 1 FROM certificates WHERE spki_sha256 = ? LIMIT 1");
  s.bind_all(spki_sha256);
  return s.step();
}

std::vector<std::string> SqliteTx::terminals_of(Id institution_id) {
  auto s = c_.prepare("SELECT DISTINCT terminal FROM certificates WHERE institution_id = ?");
  s.bind_all(institution_id);
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.text(0));
  return out;
}

Id SqliteTx::insert_notice_letter(Id application_id, Millis now) {
  c_.prepare("INSERT INTO notice_letters (application_id, created_at) VALUES (?, ?)")
      .bind_all(application_id, now)
      .run();
  return c_.last_insert_rowid();
}

std::optional<NoticeLetterRecord> SqliteTx::notice_letter_of(Id application_id) {
  auto s = c_.prepare(
      "SELECT id, application_id, created_at, printed_at, tracking_number, mailed_on, "
      "recorded_by, recorded_at FROM notice_letters WHERE application_id = ?");
  s.bind_all(application_id);
  if (!s.step()) return std::nullopt;
  return read_letter(s);
}

void SqliteTx::mark_notice_letter_printed(Id letter_id, Millis now) {
  c_.prepare("UPDATE notice_letters SET printed_at = ? WHERE id = ? AND printed_at IS NULL")
      .bind_all(now, letter_id)
      .run();
  // The codes were shown once, on this print; nothing can show them again.
  c_.prepare(
        "UPDATE certificates SET sealed_pickup_code = NULL WHERE application_id = (SELECT "
        "application_id FROM notice_letters WHERE id = ?)")
      .bind_all(letter_id)
      .run();
}

std::vector<NoticeLetterRecord> SqliteTx::unprinted_notice_letters() {
  auto s = c_.prepare(
      "SELECT id, application_id, created_at, printed_at, tracking_number, mailed_on, "
      "recorded_by, recorded_at FROM notice_letters WHERE printed_at IS NULL ORDER BY id");
  std::vector<NoticeLetterRecord> out;
  while (s.step()) out.push_back(read_letter(s));
  return out;
}

std::optional<std::string> SqliteTx::application_mailed_as(const std::string& tracking_number) {
  auto st = c_.prepare(
      "SELECT a.number FROM notice_letters l JOIN certificate_applications a "
      "ON a.id = l.application_id WHERE l.tracking_number = ?");
  st.bind_all(tracking_number);
  if (!st.step()) return std::nullopt;
  return st.text(0);
}

bool SqliteTx::record_registered_mail(Id letter_id, const std::string& tracking_number,
                                      const std::string& mailed_on, Id operator_id, Millis now) {
  c_.prepare(
        "UPDATE notice_letters SET tracking_number = ?, mailed_on = ?, recorded_by = ?, "
        "recorded_at = ? WHERE id = ? AND tracking_number IS NULL")
      .bind_all(tracking_number, mailed_on, operator_id, now, letter_id)
      .run();
  return sqlite3_changes(c_.handle()) > 0;
}

}  // namespace onshi::store::sqlite
