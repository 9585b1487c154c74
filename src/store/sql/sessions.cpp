#include "store/sql/repositories.hpp"
#include "store/sql/sql_tx.hpp"

namespace onshi::store::sql {

void SqlSessions::insert_session(const SessionRecord& s) {
  c_.prepare(
        "INSERT INTO sessions (id_hash, account_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)")
      .bind_all(s.id_hash, s.account_id, s.created_at, s.last_seen_at)
      .run();
}

std::optional<SessionRecord> SqlSessions::find_session(const std::string& id_hash) {
  auto s = c_.prepare(
      "SELECT id_hash, account_id, created_at, last_seen_at FROM sessions WHERE id_hash = ?");
  s.bind_all(id_hash);
  if (!s.step()) return std::nullopt;
  return SessionRecord{s.text(0), s.int64(1), s.int64(2), s.int64(3)};
}

void SqlSessions::touch_session(const std::string& id_hash, Millis now) {
  c_.prepare("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?").bind_all(now, id_hash).run();
}

void SqlSessions::delete_session(const std::string& id_hash) {
  c_.prepare("DELETE FROM sessions WHERE id_hash = ?").bind_all(id_hash).run();
}

void SqlSessions::delete_sessions_of(Id account_id, const std::string& except_id_hash) {
  c_.prepare("DELETE FROM sessions WHERE account_id = ? AND id_hash <> ?")
      .bind_all(account_id, except_id_hash)
      .run();
}

void SqlSessions::delete_sessions_idle_since(Millis idle_before, Millis created_before) {
  c_.prepare("DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?")
      .bind_all(idle_before, created_before)
      .run();
}

}  // namespace onshi::store::sql
