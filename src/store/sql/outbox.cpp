#include <fmt/format.h>
#include <algorithm>

#include "store/sql/repositories.hpp"
#include "store/sql/sql_tx.hpp"
#include "util/secrets.hpp"

namespace onshi::store::sql {

Id SqlOutbox::enqueue_mail(const NewMail& m, const std::string& message_id, Millis now) {
  return c_
      .prepare(
          "INSERT INTO outbox (recipient, subject, body, message_id, next_attempt_at, created_at, "
          "redact_when_sent) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")
      .bind_all(m.to, m.subject, m.body, message_id, now, now, m.redact_when_sent ? 1 : 0)
      .inserted_id();
}

std::vector<OutboxMail> SqlOutbox::due_mail(Millis now, int limit) {
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

void SqlOutbox::postpone_mail(Id id, Millis until) {
  c_.prepare("UPDATE outbox SET next_attempt_at = ? WHERE id = ? AND sent_at IS NULL")
      .bind_all(until, id)
      .run();
}

std::vector<OutboxMail> SqlOutbox::claim_due_mail(Millis now, int limit, Millis lease_until) {
  // Nodes' workers claiming at once take different mails. SQLite runs one writer at a time, so
  // each claim sees the leases the one before it took. PostgreSQL runs them side by side: a row
  // another claim has locked is skipped, not waited for (that claim takes it), rather than
  // blocking until it commits and then failing the SERIALIZABLE transaction.
  const std::string_view skip_locked =
      c_.engine() == Engine::postgresql ? " FOR UPDATE SKIP LOCKED" : "";
  auto s = c_.prepare(fmt::format(
      "UPDATE outbox SET next_attempt_at = ? WHERE id IN (SELECT id FROM outbox WHERE sent_at IS "
      "NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?{}) "
      "RETURNING id, recipient, subject, body, message_id, attempts, created_at",
      skip_locked));
  s.bind_all(lease_until, now, limit);
  std::vector<OutboxMail> out;
  while (s.step()) {
    out.push_back(
        {s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4), s.integer(5), s.int64(6)});
  }
  // RETURNING has no order of its own.
  std::ranges::sort(out, {}, &OutboxMail::id);
  return out;
}

void SqlOutbox::mark_mail_sent(Id id, Millis now) {
  c_.prepare(
        "UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL, "
        "body = CASE WHEN redact_when_sent = 1 THEN '' ELSE body END WHERE id = ?")
      .bind_all(now, id)
      .run();
}

void SqlOutbox::mark_mail_failed(Id id, int attempts, Millis next_attempt_at,
                                 const std::string& error) {
  c_.prepare("UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?")
      .bind_all(attempts, next_attempt_at, error, id)
      .run();
}

std::int64_t SqlOutbox::pending_mail_count() {
  auto s = c_.prepare("SELECT count(*) FROM outbox WHERE sent_at IS NULL");
  s.step();
  return s.int64(0);
}

}  // namespace onshi::store::sql
