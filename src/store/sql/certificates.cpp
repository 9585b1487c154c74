#include <fmt/format.h>
#include <algorithm>

#include "store/sql/repositories.hpp"
#include "store/sql/sql_tx.hpp"
#include "util/secrets.hpp"

namespace onshi::store::sql {

namespace {

constexpr const char* kCertificateColumns =
    "SELECT id, institution_id, application_id, issuance_number, terminal, serial_hex, subject, "
    "not_before, not_after, der, spki_sha256, key_source, sealed_key, status, pickup_code_hash, "
    "sealed_pickup_code, pickup_expires_at, pickup_failures, picked_up_at, revoked_at, "
    "revocation_reason, issued_by, issued_at, generation, pickup_locked_at, pickup_closed_at, "
    "pickup_closed_how, replaced_at, replaced_how, invalidity_date, issuer_key_id FROM "
    "certificates ";

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
  c.key_source = parse_key_source(s.text(i++));
  c.sealed_key = s.optional_text(i++);
  c.status = parse_certificate_state(s.text(i++));
  c.pickup_code_hash = s.text(i++);
  c.sealed_pickup_code = s.optional_text(i++);
  c.pickup_expires_at = s.int64(i++);
  c.pickup_failures = s.integer(i++);
  c.picked_up_at = s.optional_int64(i++);
  c.revoked_at = s.optional_int64(i++);
  if (auto r = s.optional_int64(i++)) c.revocation_reason = static_cast<int>(*r);
  c.issued_by = s.optional_int64(i++);
  c.issued_at = s.int64(i++);
  c.generation = s.integer(i++);
  c.pickup_locked_at = s.optional_int64(i++);
  c.pickup_closed_at = s.optional_int64(i++);
  if (auto how = s.optional_text(i++)) c.pickup_closed_how = parse_pickup_closed(*how);
  c.replaced_at = s.optional_int64(i++);
  c.renewed = s.optional_text(i++) == std::optional<std::string>("renewed");
  c.invalidity_date = s.optional_int64(i++);
  c.issuer_key_id = s.optional_text(i++).value_or("");
  return c;
}

std::optional<CertificateRecord> one_certificate(Statement& s) {
  if (!s.step()) return std::nullopt;
  auto c = read_certificate(s);
  s.run();
  return c;
}

}  // namespace

std::vector<CertificateRow> SqlCertificates::certificates_of(Id institution_id) {
  auto s = c_.prepare(
      "SELECT serial_hex, terminal, status, not_after, issuance_number, not_before, picked_up_at, "
      "pickup_closed_at, pickup_expires_at, pickup_locked_at IS NOT NULL, (SELECT count(*) FROM "
      "certificate_downloads d WHERE d.certificate_id = c.id), revoked_at, revocation_reason, "
      "invalidity_date FROM certificates c WHERE "
      "institution_id = ? AND replaced_at IS NULL ORDER BY terminal, id");
  s.bind_all(institution_id);
  std::vector<CertificateRow> out;
  while (s.step()) {
    CertificateRow r;
    r.serial_hex = s.text(0);
    r.terminal = s.text(1);
    r.status = parse_certificate_state(s.text(2));
    r.not_after = s.int64(3);
    r.issuance_number = s.text(4);
    r.not_before = s.int64(5);
    r.picked_up_at = s.optional_int64(6);
    r.pickup_closed_at = s.optional_int64(7);
    r.pickup_expires_at = s.int64(8);
    r.pickup_locked = s.integer(9) != 0;
    r.downloads = s.integer(10);
    r.revoked_at = s.optional_int64(11);
    if (auto reason = s.optional_int64(12)) r.revocation_reason = static_cast<int>(*reason);
    r.invalidity_date = s.optional_int64(13);
    out.push_back(std::move(r));
  }
  return out;
}

bool SqlCertificates::try_insert_certificate(const CertificateRecord& c) {
  return try_insert_certificate_id(c).has_value();
}

std::optional<Id> SqlCertificates::try_insert_certificate_id(const CertificateRecord& c) {
  auto s = c_.prepare(
      "INSERT INTO certificates (institution_id, application_id, issuance_number, terminal, "
      "serial_hex, subject, not_before, not_after, der, spki_sha256, key_source, sealed_key, "
      "status, pickup_code_hash, sealed_pickup_code, pickup_expires_at, issued_by, issued_at, "
      "generation, picked_up_at, pickup_closed_at, pickup_closed_how, issuer_key_id) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT DO NOTHING RETURNING id");
  s.bind_all(c.institution_id, c.application_id, c.issuance_number, c.terminal, c.serial_hex,
             c.subject, c.not_before, c.not_after, Blob{c.der}, c.spki_sha256,
             std::string(key_source_name(c.key_source)), c.sealed_key, text_of(c.status),
             c.pickup_code_hash, c.sealed_pickup_code, c.pickup_expires_at, c.issued_by,
             c.issued_at, c.generation, c.picked_up_at, c.pickup_closed_at,
             c.pickup_closed_how
                 ? std::optional<std::string>(pickup_closed_name(*c.pickup_closed_how))
                 : std::nullopt,
             c.issuer_key_id.empty() ? std::nullopt : std::optional<std::string>(c.issuer_key_id));
  if (!s.step()) return std::nullopt;
  return s.int64(0);
}

bool SqlCertificates::replace_pickup_code(Id certificate_id, const std::string& pickup_code_hash,
                                          Millis pickup_expires_at) {
  auto s = c_.prepare(
      "UPDATE certificates SET pickup_code_hash = ?, pickup_expires_at = ?, pickup_failures = 0, "
      "pickup_locked_at = NULL, sealed_pickup_code = NULL WHERE id = ? AND status = ? AND "
      "picked_up_at IS NULL AND revoked_at IS NULL AND replaced_at IS NULL AND "
      "pickup_closed_at IS NULL RETURNING id");
  s.bind_all(pickup_code_hash, pickup_expires_at, certificate_id,
             text_of(domain::CertificateState::issued));
  return s.step();
}

std::vector<CertificateRecord> SqlCertificates::certificates_of_application(Id application_id) {
  auto s = c_.prepare(std::string(kCertificateColumns) + "WHERE application_id = ? ORDER BY id");
  s.bind_all(application_id);
  std::vector<CertificateRecord> out;
  while (s.step()) out.push_back(read_certificate(s));
  return out;
}

bool SqlCertificates::public_key_certified(const std::string& spki_sha256) {
  auto s = c_.prepare("SELECT 1 FROM certificates WHERE spki_sha256 = ? LIMIT 1");
  s.bind_all(spki_sha256);
  return s.step();
}

std::vector<std::string> SqlCertificates::terminals_of(Id institution_id) {
  auto s = c_.prepare("SELECT DISTINCT terminal FROM certificates WHERE institution_id = ?");
  s.bind_all(institution_id);
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.text(0));
  return out;
}

std::optional<CertificateRecord> SqlCertificates::find_current_certificate(
    const std::string& issuance_number) {
  auto s = c_.prepare(std::string(kCertificateColumns) +
                      "WHERE issuance_number = ? AND replaced_at IS NULL");
  s.bind_all(issuance_number);
  return one_certificate(s);
}

std::optional<CertificateRecord> SqlCertificates::find_certificate_by_serial(
    const std::string& serial_hex) {
  auto s = c_.prepare(std::string(kCertificateColumns) + "WHERE serial_hex = ?");
  s.bind_all(serial_hex);
  return one_certificate(s);
}

std::vector<CertificateRecord> SqlCertificates::generations_of(const std::string& issuance_number) {
  auto s = c_.prepare(std::string(kCertificateColumns) +
                      "WHERE issuance_number = ? ORDER BY generation");
  s.bind_all(issuance_number);
  std::vector<CertificateRecord> out;
  while (s.step()) out.push_back(read_certificate(s));
  return out;
}

std::vector<CertificateDownload> SqlCertificates::downloads_of(Id certificate_id) {
  auto s = c_.prepare(
      "SELECT id, certificate_id, downloaded_at, client_address, what FROM certificate_downloads "
      "WHERE certificate_id = ? ORDER BY id");
  s.bind_all(certificate_id);
  std::vector<CertificateDownload> out;
  while (s.step()) out.push_back({s.int64(0), s.int64(1), s.int64(2), s.text(3), s.text(4)});
  return out;
}

std::vector<CertificateRecord> SqlCertificates::lapsed_pickups(Millis first_download_before,
                                                               Millis now) {
  auto s = c_.prepare(std::string(kCertificateColumns) +
                      "WHERE pickup_closed_at IS NULL AND picked_up_at IS NOT NULL AND "
                      "(picked_up_at <= ? OR pickup_expires_at <= ?) ORDER BY id");
  s.bind_all(first_download_before, now);
  std::vector<CertificateRecord> out;
  while (s.step()) out.push_back(read_certificate(s));
  return out;
}

std::optional<int> SqlCertificates::count_pickup_failure(Id certificate_id, int max_attempts,
                                                         Millis now) {
  auto s = c_.prepare(
      "UPDATE certificates SET pickup_failures = pickup_failures + 1, pickup_locked_at = CASE "
      "WHEN pickup_failures + 1 >= ? THEN ? END WHERE id = ? AND pickup_locked_at IS NULL "
      "RETURNING pickup_failures");
  s.bind_all(max_attempts, now, certificate_id);
  if (!s.step()) return std::nullopt;
  const int failures = s.integer(0);
  s.run();
  return failures;
}

bool SqlCertificates::unlock_pickup(Id certificate_id) {
  auto s = c_.prepare(
      "UPDATE certificates SET pickup_locked_at = NULL, pickup_failures = 0 WHERE id = ? AND "
      "pickup_locked_at IS NOT NULL RETURNING id");
  s.bind_all(certificate_id);
  return s.step();
}

bool SqlCertificates::mark_picked_up(Id certificate_id, Millis now) {
  auto s = c_.prepare(
      "UPDATE certificates SET picked_up_at = ?, status = ?, pickup_failures = 0 WHERE id = ? "
      "AND picked_up_at IS NULL AND status = ? RETURNING id");
  s.bind_all(now, text_of(domain::CertificateState::active), certificate_id,
             text_of(domain::CertificateState::issued));
  return s.step();
}

void SqlCertificates::insert_download(const CertificateDownload& d) {
  c_.prepare(
        "INSERT INTO certificate_downloads (certificate_id, downloaded_at, client_address, what) "
        "VALUES (?, ?, ?, ?)")
      .bind_all(d.certificate_id, d.downloaded_at, d.client_address, d.what)
      .run();
}

bool SqlCertificates::close_pickup(Id certificate_id, PickupClosed how, Millis now) {
  auto s = c_.prepare(
      "UPDATE certificates SET pickup_closed_at = ?, pickup_closed_how = ?, sealed_key = NULL, "
      "sealed_pickup_code = NULL WHERE id = ? AND pickup_closed_at IS NULL RETURNING id");
  s.bind_all(now, std::string(pickup_closed_name(how)), certificate_id);
  return s.step();
}

bool SqlCertificates::supersede_unused_certificate(Id certificate_id, Millis now) {
  auto s = c_.prepare(
      "UPDATE certificates SET replaced_at = ?1, replaced_how = 'superseded', status = ?2, "
      "revoked_at = ?1, revocation_reason = ?3, sealed_key = NULL, sealed_pickup_code = NULL, "
      "pickup_closed_at = ?1, pickup_closed_how = 'replaced' WHERE id = ?4 AND "
      "replaced_at IS NULL AND picked_up_at IS NULL AND revoked_at IS NULL RETURNING id");
  s.bind_all(now, text_of(domain::CertificateState::revoked),
             static_cast<int>(domain::RevocationReason::superseded), certificate_id);
  return s.step();
}

std::vector<CertificateRecord> SqlCertificates::find_certificates(const CertificateFilter& f) {
  auto s =
      c_.prepare(std::string(kCertificateColumns) +
                 // The casts give PostgreSQL the type it cannot infer from IS NULL.
                 "WHERE (CAST(?1 AS TEXT) IS NULL OR institution_id = (SELECT id FROM "
                 "institutions WHERE code = ?1)) AND (CAST(?2 AS TEXT) IS NULL OR status = ?2) "
                 "ORDER BY id DESC LIMIT ?3");
  s.bind_all(f.institution_code,
             f.status ? std::optional<std::string>(text_of(*f.status)) : std::nullopt, f.limit);
  std::vector<CertificateRecord> out;
  while (s.step()) out.push_back(read_certificate(s));
  return out;
}

bool SqlCertificates::revoke_certificate(Id certificate_id, int reason, Millis now,
                                         std::optional<Millis> invalidity_date) {
  auto s = c_.prepare(
      "UPDATE certificates SET status = ?1, revoked_at = ?2, revocation_reason = ?3, "
      "invalidity_date = ?4, sealed_key = NULL, sealed_pickup_code = NULL WHERE id = ?5 AND "
      "revoked_at IS NULL AND status IN (?6, ?7) RETURNING id");
  s.bind_all(text_of(domain::CertificateState::revoked), now, reason, invalidity_date,
             certificate_id, text_of(domain::CertificateState::issued),
             text_of(domain::CertificateState::active));
  return s.step();
}

bool SqlCertificates::mark_renewed(Id certificate_id, Millis now) {
  auto s = c_.prepare(
      "UPDATE certificates SET replaced_at = ?, replaced_how = 'renewed' WHERE id = ? AND "
      "replaced_at IS NULL RETURNING id");
  s.bind_all(now, certificate_id);
  return s.step();
}

std::vector<CertificateRecord> SqlCertificates::unpicked_past(Millis deadline_before) {
  auto s = c_.prepare(std::string(kCertificateColumns) +
                      "WHERE picked_up_at IS NULL AND revoked_at IS NULL AND status = ? AND "
                      "replaced_at IS NULL AND pickup_expires_at < ? ORDER BY application_id, id");
  s.bind_all(text_of(domain::CertificateState::issued), deadline_before);
  std::vector<CertificateRecord> out;
  while (s.step()) out.push_back(read_certificate(s));
  return out;
}

std::vector<CertificateRecord> SqlCertificates::renewed_past_overlap(Millis picked_up_before,
                                                                     Millis now) {
  auto s =
      c_.prepare(std::string(kCertificateColumns) +
                 "c WHERE replaced_how = 'renewed' AND revoked_at IS NULL AND status IN (?, ?) "
                 "AND not_after > ? AND EXISTS (SELECT 1 FROM certificates n WHERE "
                 "n.issuance_number = c.issuance_number AND n.generation = c.generation + 1 "
                 "AND n.picked_up_at IS NOT NULL AND n.picked_up_at <= ?) ORDER BY "
                 "c.institution_id, c.id");
  s.bind_all(text_of(domain::CertificateState::issued), text_of(domain::CertificateState::active),
             now, picked_up_before);
  std::vector<CertificateRecord> out;
  while (s.step()) out.push_back(read_certificate(s));
  return out;
}

bool SqlCertificates::revoke_unpicked(Id certificate_id, Millis deadline_before, Millis now) {
  auto s = c_.prepare(
      "UPDATE certificates SET status = ?1, revoked_at = ?2, revocation_reason = ?3, "
      "sealed_key = NULL, sealed_pickup_code = NULL, pickup_closed_at = coalesce(pickup_closed_at, "
      "?2), pickup_closed_how = coalesce(pickup_closed_how, 'expired') WHERE id = ?4 AND status = "
      "?5 AND picked_up_at IS NULL AND revoked_at IS NULL AND replaced_at IS NULL AND "
      "pickup_expires_at < ?6 RETURNING id");
  s.bind_all(text_of(domain::CertificateState::revoked), now,
             static_cast<int>(domain::RevocationReason::cessation_of_operation), certificate_id,
             text_of(domain::CertificateState::issued), deadline_before);
  return s.step();
}

std::vector<std::pair<Id, std::string>> SqlCertificates::certificates_without_issuer_key_id(
    int limit) {
  auto s = c_.prepare("SELECT id, der FROM certificates WHERE issuer_key_id IS NULL LIMIT ?");
  s.bind_all(limit);
  std::vector<std::pair<Id, std::string>> out;
  while (s.step()) out.emplace_back(s.int64(0), s.blob(1));
  return out;
}

bool SqlCertificates::set_issuer_key_id(Id certificate_id, const std::string& issuer_key_id) {
  auto s = c_.prepare(
      "UPDATE certificates SET issuer_key_id = ? WHERE id = ? AND issuer_key_id IS NULL "
      "RETURNING id");
  s.bind_all(issuer_key_id, certificate_id);
  return s.step();
}

}  // namespace onshi::store::sql
