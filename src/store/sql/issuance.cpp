#include "store/sql/repositories.hpp"
#include "store/sql/sql_tx.hpp"

namespace onshi::store::sql {

namespace {

constexpr const char* kReservationColumns =
    "SELECT id, application_id, position, institution_id, serial_hex, issuance_number, terminal, "
    "public_key_der, spki_sha256, key_source, sealed_key, pickup_code_hash, sealed_pickup_code, "
    "pickup_expires_at, operator_id, reserved_at FROM issuance_reservations ";

IssuanceReservation read_reservation(const Statement& s) {
  IssuanceReservation r;
  int i = 0;
  r.id = s.int64(i++);
  r.application_id = s.int64(i++);
  r.position = s.integer(i++);
  auto& c = r.planned;
  c.application_id = r.application_id;
  c.institution_id = s.int64(i++);
  c.serial_hex = s.text(i++);
  c.issuance_number = s.text(i++);
  c.terminal = s.text(i++);
  r.public_key_der = s.blob(i++);
  c.spki_sha256 = s.text(i++);
  c.key_source = parse_key_source(s.text(i++));
  c.sealed_key = s.optional_text(i++);
  c.pickup_code_hash = s.text(i++);
  c.sealed_pickup_code = s.optional_text(i++);
  c.pickup_expires_at = s.int64(i++);
  c.issued_by = s.optional_int64(i++);
  r.reserved_at = s.int64(i++);
  return r;
}

std::vector<IssuanceReservation> all(Statement& s) {
  std::vector<IssuanceReservation> out;
  while (s.step()) out.push_back(read_reservation(s));
  return out;
}

}  // namespace

std::vector<IssuanceReservation> SqlIssuance::reserved_for(Id application_id) {
  auto s = c_.prepare(std::string(kReservationColumns) +
                      "WHERE application_id = ? AND state = 'reserved' ORDER BY position");
  s.bind_all(application_id);
  return all(s);
}

std::vector<IssuanceReservation> SqlIssuance::reserved_before(Millis reserved_before) {
  auto s = c_.prepare(std::string(kReservationColumns) +
                      "WHERE state = 'reserved' AND reserved_at < ? ORDER BY id");
  s.bind_all(reserved_before);
  return all(s);
}

std::optional<Id> SqlIssuance::try_reserve(const IssuanceReservation& r) {
  const auto& c = r.planned;
  // A serial certified before reservations existed (schema 8 and older) counts as taken too.
  auto s = c_.prepare(
      "INSERT INTO issuance_reservations (application_id, position, institution_id, serial_hex, "
      "issuance_number, terminal, public_key_der, spki_sha256, key_source, sealed_key, "
      "pickup_code_hash, sealed_pickup_code, pickup_expires_at, operator_id, reserved_at) "
      "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? "
      "WHERE NOT EXISTS (SELECT 1 FROM certificates WHERE serial_hex = ?4) "
      "ON CONFLICT DO NOTHING RETURNING id");
  s.bind_all(r.application_id, r.position, c.institution_id, c.serial_hex, c.issuance_number,
             c.terminal, Blob{r.public_key_der}, c.spki_sha256,
             std::string(key_source_name(c.key_source)), c.sealed_key, c.pickup_code_hash,
             c.sealed_pickup_code, c.pickup_expires_at, c.issued_by, r.reserved_at);
  if (!s.step()) return std::nullopt;
  return s.int64(0);
}

bool SqlIssuance::settle_reservation(Id id, bool issued, Millis now) {
  auto s = c_.prepare(
      "UPDATE issuance_reservations SET state = ?, settled_at = ?, sealed_key = NULL, "
      "sealed_pickup_code = NULL WHERE id = ? AND state = 'reserved' RETURNING id");
  s.bind_all(std::string(issued ? "issued" : "abandoned"), now, id);
  return s.step();
}

}  // namespace onshi::store::sql
