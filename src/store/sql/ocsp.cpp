// The OCSP responder's repository on SQLite (migration 0015).
#include "store/sql/repositories.hpp"

namespace onshi::store::sql {
namespace {

const char* text_of(OcspHashAlgorithm h) {
  return h == OcspHashAlgorithm::sha1 ? "sha1" : "sha256";
}
OcspHashAlgorithm parse_hash(const std::string& text) {
  if (text == "sha1") return OcspHashAlgorithm::sha1;
  if (text == "sha256") return OcspHashAlgorithm::sha256;
  throw std::runtime_error("corrupt row: ocsp_responses.hash_algorithm '" + text + "'");
}

constexpr const char* kResponderColumns =
    "SELECT id, issuer_key_id, serial_hex, der, sealed_key, not_before, not_after, created_at "
    "FROM ocsp_responders ";

OcspResponderRecord read_responder(const Statement& s) {
  OcspResponderRecord r;
  r.id = s.int64(0);
  r.issuer_key_id = s.text(1);
  r.serial_hex = s.text(2);
  r.der = s.blob(3);
  r.sealed_key = s.text(4);
  r.not_before = s.int64(5);
  r.not_after = s.int64(6);
  r.created_at = s.int64(7);
  return r;
}

// The certificate's columns the responder reads, from `c`, in this order.
constexpr const char* kStatusColumns =
    "c.id, c.serial_hex, c.issuer_key_id, c.not_after, c.revoked_at, c.revocation_reason";

OcspCertificateStatus read_status(const Statement& s) {
  OcspCertificateStatus c;
  c.certificate_id = s.int64(0);
  c.serial_hex = s.text(1);
  c.issuer_key_id = s.text(2);
  c.not_after = s.int64(3);
  c.revoked_at = s.optional_int64(4);
  if (auto r = s.optional_int64(5)) c.revocation_reason = static_cast<int>(*r);
  return c;
}

// The certificates that should have a fresh response: not expired, or revoked.
constexpr const char* kAnswered =
    "c.issuer_key_id IS NOT NULL AND c.issuer_key_id <> '' AND (c.not_after > ?1 OR "
    "c.revoked_at IS NOT NULL)";

}  // namespace

std::optional<OcspResponderRecord> SqlOcsp::current_ocsp_responder(const std::string& issuer_key_id,
                                                                   Millis now) {
  auto s = c_.prepare(std::string(kResponderColumns) +
                      "WHERE issuer_key_id = ?1 AND not_before <= ?2 AND not_after > ?2 ORDER "
                      "BY not_after DESC, id DESC LIMIT 1");
  s.bind_all(issuer_key_id, now);
  if (!s.step()) return std::nullopt;
  return read_responder(s);
}

std::optional<OcspCertificateStatus> SqlOcsp::ocsp_status(const std::string& issuer_key_id,
                                                          const std::string& serial_hex,
                                                          OcspHashAlgorithm hash) {
  auto s = c_.prepare(std::string("SELECT ") + kStatusColumns +
                      ", r.status, r.response, r.this_update, r.next_update, r.refresh_at, "
                      "r.responder_id FROM certificates c LEFT JOIN ocsp_responses r ON "
                      "r.certificate_id = c.id AND r.hash_algorithm = ?3 WHERE c.issuer_key_id = "
                      "?1 AND c.serial_hex = ?2");
  s.bind_all(issuer_key_id, serial_hex, text_of(hash));
  if (!s.step()) return std::nullopt;
  OcspCertificateStatus c = read_status(s);
  if (!s.is_null(6)) {
    OcspStoredResponse r;
    r.certificate_id = c.certificate_id;
    r.hash = hash;
    r.revoked = s.text(6) == "revoked";
    r.der = s.blob(7);
    r.this_update = s.int64(8);
    r.next_update = s.int64(9);
    r.refresh_at = s.int64(10);
    r.responder_id = s.int64(11);
    c.response = std::move(r);
  }
  s.run();
  return c;
}

std::vector<OcspDue> SqlOcsp::ocsp_responses_missing(Millis now, Id after_id, int limit) {
  auto s = c_.prepare(std::string("SELECT ") + kStatusColumns + " FROM certificates c WHERE " +
                      kAnswered +
                      " AND c.id > ?2 AND NOT EXISTS (SELECT 1 FROM ocsp_responses r WHERE "
                      "r.certificate_id = c.id AND r.hash_algorithm = 'sha1') ORDER BY c.id "
                      "LIMIT ?3");
  s.bind_all(now, after_id, limit);
  std::vector<OcspDue> out;
  while (s.step()) out.push_back({read_status(s), OcspHashAlgorithm::sha1});
  return out;
}

std::vector<OcspDue> SqlOcsp::ocsp_responses_stale(Millis now, Millis refresh_before, int limit) {
  auto s = c_.prepare(std::string("SELECT ") + kStatusColumns +
                      ", r.hash_algorithm FROM ocsp_responses r JOIN certificates c ON c.id = "
                      "r.certificate_id WHERE r.refresh_at < ?2 AND " +
                      kAnswered + " ORDER BY r.refresh_at LIMIT ?3");
  s.bind_all(now, refresh_before, limit);
  std::vector<OcspDue> out;
  while (s.step()) out.push_back({read_status(s), parse_hash(s.text(6))});
  return out;
}

std::int64_t SqlOcsp::ocsp_epoch() {
  auto s = c_.prepare("SELECT value FROM ocsp_epoch WHERE id = 1");
  if (!s.step()) throw std::runtime_error("corrupt database: no ocsp_epoch row");
  const auto value = s.int64(0);
  s.run();
  return value;
}

std::optional<Id> SqlOcsp::try_insert_ocsp_responder(const OcspResponderRecord& r,
                                                     Millis needed_until) {
  auto s = c_.prepare(
      "INSERT INTO ocsp_responders (issuer_key_id, serial_hex, der, sealed_key, not_before, "
      "not_after, created_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE NOT EXISTS (SELECT 1 FROM "
      "ocsp_responders WHERE issuer_key_id = ?1 AND not_before <= ?7 AND not_after >= ?8) "
      "RETURNING id");
  s.bind_all(r.issuer_key_id, r.serial_hex, Blob{r.der}, r.sealed_key, r.not_before, r.not_after,
             r.created_at, needed_until);
  if (!s.step()) return std::nullopt;
  const Id id = s.int64(0);
  s.run();
  return id;
}

bool SqlOcsp::try_store_ocsp_response(const OcspStoredResponse& r) {
  // The SELECT from certificates is the guard: no row, no insert. (A CASE, not a comparison of
  // IS NOT NULL with 0 or 1: PostgreSQL's boolean is no integer.) The upsert keeps the newer of
  // two nodes' responses whichever commits last.
  auto s = c_.prepare(
      "INSERT INTO ocsp_responses (certificate_id, hash_algorithm, status, response, "
      "this_update, next_update, refresh_at, responder_id) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8 "
      "FROM certificates WHERE id = ?1 AND CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END = ?9 "
      "ON CONFLICT "
      "(certificate_id, hash_algorithm) DO UPDATE SET status = excluded.status, response = "
      "excluded.response, this_update = excluded.this_update, next_update = "
      "excluded.next_update, refresh_at = excluded.refresh_at, responder_id = "
      "excluded.responder_id WHERE excluded.this_update >= ocsp_responses.this_update "
      "RETURNING certificate_id");
  s.bind_all(r.certificate_id, text_of(r.hash), r.revoked ? "revoked" : "good", Blob{r.der},
             r.this_update, r.next_update, r.refresh_at, r.responder_id, r.revoked ? 1 : 0);
  const bool stored = s.step();
  s.run();
  return stored;
}

}  // namespace onshi::store::sql
