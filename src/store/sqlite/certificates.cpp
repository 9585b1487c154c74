#include <fmt/format.h>
#include <algorithm>

#include "store/sqlite/repositories.hpp"
#include "store/sqlite/sqlite_tx.hpp"
#include "util/secrets.hpp"

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
  return c;
}

}  // namespace

std::vector<CertificateRow> SqliteCertificates::certificates_of(Id institution_id) {
  auto s = c_.prepare(
      "SELECT serial_hex, terminal, status, not_after FROM certificates WHERE institution_id = ? "
      "ORDER BY terminal, id");
  s.bind_all(institution_id);
  std::vector<CertificateRow> out;
  while (s.step())
    out.push_back({s.text(0), s.text(1), parse_certificate_state(s.text(2)), s.int64(3)});
  return out;
}

bool SqliteCertificates::try_insert_certificate(const CertificateRecord& c) {
  auto s = c_.prepare(
      "INSERT INTO certificates (institution_id, application_id, issuance_number, terminal, "
      "serial_hex, subject, not_before, not_after, der, spki_sha256, key_source, sealed_key, "
      "status, pickup_code_hash, sealed_pickup_code, pickup_expires_at, issued_by, issued_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING "
      "RETURNING id");
  s.bind_all(c.institution_id, c.application_id, c.issuance_number, c.terminal, c.serial_hex,
             c.subject, c.not_before, c.not_after, Blob{c.der}, c.spki_sha256,
             std::string(key_source_name(c.key_source)), c.sealed_key, text_of(c.status),
             c.pickup_code_hash, c.sealed_pickup_code, c.pickup_expires_at, c.issued_by,
             c.issued_at);
  return s.step();
}

bool SqliteCertificates::replace_pickup_code(Id certificate_id, const std::string& pickup_code_hash,
                                             Millis pickup_expires_at) {
  auto s = c_.prepare(
      "UPDATE certificates SET pickup_code_hash = ?, pickup_expires_at = ?, pickup_failures = 0, "
      "sealed_pickup_code = NULL WHERE id = ? AND status = ? AND picked_up_at IS NULL AND "
      "revoked_at IS NULL RETURNING id");
  s.bind_all(pickup_code_hash, pickup_expires_at, certificate_id,
             text_of(domain::CertificateState::issued));
  return s.step();
}

std::vector<CertificateRecord> SqliteCertificates::certificates_of_application(Id application_id) {
  auto s = c_.prepare(std::string(kCertificateColumns) + "WHERE application_id = ? ORDER BY id");
  s.bind_all(application_id);
  std::vector<CertificateRecord> out;
  while (s.step()) out.push_back(read_certificate(s));
  return out;
}

bool SqliteCertificates::public_key_certified(const std::string& spki_sha256) {
  auto s = c_.prepare("SELECT 1 FROM certificates WHERE spki_sha256 = ? LIMIT 1");
  s.bind_all(spki_sha256);
  return s.step();
}

std::vector<std::string> SqliteCertificates::terminals_of(Id institution_id) {
  auto s = c_.prepare("SELECT DISTINCT terminal FROM certificates WHERE institution_id = ?");
  s.bind_all(institution_id);
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.text(0));
  return out;
}

}  // namespace onshi::store::sqlite
