#include "store/sql/repositories.hpp"
#include "store/sql/sql_tx.hpp"

namespace onshi::store::sql {

namespace {

std::string crl_columns(bool with_der) {
  return std::string("SELECT issuer_key_id, crl_number, delta_base, this_update, next_update, ")
      .append(with_der ? "der" : "NULL")
      .append(", coalesce(revoked_seen, 0), created_at, der IS NOT NULL FROM crls ");
}

std::optional<CrlRecord> one_crl(Statement& s) {
  if (!s.step()) return std::nullopt;
  CrlRecord r;
  r.issuer_key_id = s.text(0);
  r.crl_number = s.int64(1);
  r.delta_base = s.optional_int64(2);
  r.this_update = s.int64(3);
  r.next_update = s.int64(4);
  if (!s.is_null(5)) r.der = s.blob(5);
  r.revoked_seen = s.int64(6);
  r.created_at = s.int64(7);
  r.recorded = s.integer(8) != 0;
  s.run();
  return r;
}

}  // namespace

std::optional<CrlRecord> SqlCrls::latest_crl(const std::string& issuer_key_id, bool delta,
                                             bool with_der) {
  auto s = c_.prepare(crl_columns(with_der) +
                      "WHERE issuer_key_id = ? AND der IS NOT NULL AND CASE WHEN delta_base IS "
                      "NULL THEN 0 ELSE 1 END = ? ORDER BY crl_number DESC LIMIT 1");
  s.bind_all(issuer_key_id, delta ? 1 : 0);
  return one_crl(s);
}

std::optional<CrlRecord> SqlCrls::oldest_valid_full_crl(const std::string& issuer_key_id,
                                                        Millis now) {
  auto s = c_.prepare(crl_columns(false) +
                      "WHERE issuer_key_id = ? AND der IS NOT NULL AND delta_base IS NULL AND "
                      "next_update > ? ORDER BY crl_number LIMIT 1");
  s.bind_all(issuer_key_id, now);
  return one_crl(s);
}

bool SqlCrls::crl_in_flight(const std::string& issuer_key_id, Millis reserved_after) {
  auto s = c_.prepare(
      "SELECT 1 FROM crls WHERE issuer_key_id = ? AND der IS NULL AND created_at > ? LIMIT 1");
  s.bind_all(issuer_key_id, reserved_after);
  const bool found = s.step();
  if (found) s.run();
  return found;
}

std::int64_t SqlCrls::revoked_count(const std::string& issuer_key_id, Millis revoked_until) {
  auto s = c_.prepare(
      "SELECT count(*) FROM certificates WHERE issuer_key_id = ? AND revoked_at IS NOT NULL AND "
      "revoked_at <= ?");
  s.bind_all(issuer_key_id, revoked_until);
  s.step();
  const std::int64_t n = s.int64(0);
  s.run();
  return n;
}

bool SqlCrls::issued_valid_at(const std::string& issuer_key_id, Millis at) {
  auto s =
      c_.prepare("SELECT 1 FROM certificates WHERE issuer_key_id = ? AND not_after >= ? LIMIT 1");
  s.bind_all(issuer_key_id, at);
  const bool found = s.step();
  if (found) s.run();
  return found;
}

void SqlCrls::scan_revoked(const RevokedScan& scan,
                           const std::function<void(const RevokedEntry&)>& visit) {
  auto s = c_.prepare(
      "SELECT serial_hex, revoked_at, coalesce(revocation_reason, 0), invalidity_date FROM "
      "certificates WHERE issuer_key_id = ? AND revoked_at IS NOT NULL AND not_after >= ? AND "
      "revoked_at >= ? AND revoked_at <= ? ORDER BY serial_hex");
  s.bind_all(scan.issuer_key_id, scan.not_after_from, scan.revoked_from, scan.revoked_until);
  RevokedEntry e;
  while (s.step()) {
    e.serial_hex = s.text(0);
    e.revoked_at = s.int64(1);
    e.reason = s.integer(2);
    e.invalidity_date = s.optional_int64(3);
    visit(e);
  }
}

std::int64_t SqlCrls::reserve_crl(const CrlRecord& r) {
  auto s = c_.prepare(
      "INSERT INTO crls (issuer_key_id, crl_number, delta_base, this_update, next_update, "
      "created_at) SELECT ?1, coalesce(max(crl_number), 0) + 1, ?2, ?3, ?4, ?5 FROM crls WHERE "
      "issuer_key_id = ?1 RETURNING crl_number");
  s.bind_all(r.issuer_key_id, r.delta_base, r.this_update, r.next_update, r.created_at);
  s.step();
  const std::int64_t number = s.int64(0);
  s.run();
  return number;
}

bool SqlCrls::record_crl(const std::string& issuer_key_id, std::int64_t crl_number,
                         const std::string& der, std::int64_t revoked_seen) {
  auto s = c_.prepare(
      "UPDATE crls SET der = ?, revoked_seen = ? WHERE issuer_key_id = ? AND crl_number = ? AND "
      "der IS NULL RETURNING crl_number");
  s.bind_all(Blob{der}, revoked_seen, issuer_key_id, crl_number);
  const bool done = s.step();
  if (done) s.run();
  return done;
}

}  // namespace onshi::store::sql
