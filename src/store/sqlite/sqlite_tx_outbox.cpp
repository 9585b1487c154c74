#include <fmt/format.h>

#include "store/sqlite/sqlite_tx.hpp"
#include "util/secrets.hpp"

namespace onshi::store::sqlite {

Id SqliteTx::enqueue_mail(const NewMail& m, const std::string& message_id, Millis now) {
  c_.prepare(
        "INSERT INTO outbox (recipient, subject, body, message_id, next_attempt_at, created_at, "
        "redact_when_sent) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .bind_all(m.to, m.subject, m.body, message_id, now, now, m.redact_when_sent ? 1 : 0)
      .run();
  return c_.last_insert_rowid();
}

std::vector<OutboxMail> SqliteTx::due_mail(Millis now, int limit) {
  auto s = c_.prepare(
      "SELECT id, recipient, subject, body, message_id, attempts, created_at FROM outbox "
      "WHERE sent_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?");
  s.bind_all(now, limit);
  std::vector<OutboxMail> out;
  while (s.step()) {
    out.push_back(
        {s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4), s.integer(5), s.int64(6)});
  }
  return out;
}

void SqliteTx::lease_mail(Id id, Millis until) {
  c_.prepare("UPDATE outbox SET next_attempt_at = ? WHERE id = ? AND sent_at IS NULL")
      .bind_all(until, id)
      .run();
}

void SqliteTx::mark_mail_sent(Id id, Millis now) {
  c_.prepare(
        "UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL, "
        "body = CASE WHEN redact_when_sent = 1 THEN '' ELSE body END WHERE id = ?")
      .bind_all(now, id)
      .run();
}

void SqliteTx::mark_mail_failed(Id id, int attempts, Millis next_attempt_at,
                                const std::string& error) {
  c_.prepare("UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?")
      .bind_all(attempts, next_attempt_at, error, id)
      .run();
}

std::int64_t SqliteTx::pending_mail_count() {
  auto s = c_.prepare("SELECT count(*) FROM outbox WHERE sent_at IS NULL");
  s.step();
  return s.int64(0);
}

std::vector<CertificateRow> SqliteTx::certificates_of(Id institution_id) {
  auto s = c_.prepare(
      "SELECT serial_hex, terminal, status, not_after FROM certificates WHERE institution_id = ? "
      "ORDER BY terminal, id");
  s.bind_all(institution_id);
  std::vector<CertificateRow> out;
  while (s.step()) out.push_back({s.text(0), s.text(1), s.text(2), s.int64(3)});
  return out;
}

void SqliteTx::append_audit(const AuditEntry& e, Millis now) {
  // The write transaction holds SQLite's single writer lock, so reading the last hash and
  // appending cannot interleave with another append.
  std::string prev = "genesis";
  {
    auto s = c_.prepare("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1");
    if (s.step()) prev = s.text(0);
  }
  const std::string hash = util::sha256_hex(
      fmt::format("{}\n{}\n{}\n{}\n{}\n{}", prev, now, e.actor, e.action, e.subject, e.detail));
  c_.prepare(
        "INSERT INTO audit_log (at, actor, action, subject, detail, prev_hash, hash) VALUES (?, ?, "
        "?, ?, ?, ?, ?)")
      .bind_all(now, e.actor, e.action, e.subject, e.detail, prev, hash)
      .run();
}

std::optional<std::string> SqliteTx::setting(const std::string& key) {
  auto s = c_.prepare("SELECT value FROM settings WHERE key = ?");
  s.bind_all(key);
  if (!s.step()) return std::nullopt;
  return s.text(0);
}

void SqliteTx::put_setting(const std::string& key, const std::string& value) {
  c_.prepare(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
        "excluded.value")
      .bind_all(key, value)
      .run();
}

}  // namespace onshi::store::sqlite
