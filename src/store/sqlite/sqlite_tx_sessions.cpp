#include "store/sqlite/sqlite_tx.hpp"

namespace onshi::store::sqlite {
namespace {

std::string_view kind_name(TokenKind k) {
  switch (k) {
    case TokenKind::verify_email:
      return "verify_email";
    case TokenKind::reset_password:
      return "reset_password";
  }
  throw std::logic_error("unknown token kind");
}

}  // namespace

void SqliteTx::insert_token(TokenKind kind, const std::string& hash, Id account_id,
                            Millis expires_at, Millis now) {
  c_.prepare(
        "INSERT INTO tokens (kind, token_hash, account_id, expires_at, created_at) VALUES (?, ?, "
        "?, ?, ?)")
      .bind_all(kind_name(kind), hash, account_id, expires_at, now)
      .run();
}

std::optional<TokenRecord> SqliteTx::find_live_token(TokenKind kind, const std::string& hash,
                                                     Millis now) {
  auto s = c_.prepare(
      "SELECT id, account_id, expires_at FROM tokens "
      "WHERE kind = ? AND token_hash = ? AND used_at IS NULL AND expires_at > ?");
  s.bind_all(kind_name(kind), hash, now);
  if (!s.step()) return std::nullopt;
  return TokenRecord{s.int64(0), s.int64(1), s.int64(2)};
}

void SqliteTx::mark_token_used(Id token_id, Millis now) {
  c_.prepare("UPDATE tokens SET used_at = ? WHERE id = ? AND used_at IS NULL")
      .bind_all(now, token_id)
      .run();
}

void SqliteTx::expire_tokens(TokenKind kind, Id account_id, Millis now) {
  c_.prepare("UPDATE tokens SET used_at = ? WHERE kind = ? AND account_id = ? AND used_at IS NULL")
      .bind_all(now, kind_name(kind), account_id)
      .run();
}

void SqliteTx::insert_session(const SessionRecord& s) {
  c_.prepare(
        "INSERT INTO sessions (id_hash, account_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)")
      .bind_all(s.id_hash, s.account_id, s.created_at, s.last_seen_at)
      .run();
}

std::optional<SessionRecord> SqliteTx::find_session(const std::string& id_hash) {
  auto s = c_.prepare(
      "SELECT id_hash, account_id, created_at, last_seen_at FROM sessions WHERE id_hash = ?");
  s.bind_all(id_hash);
  if (!s.step()) return std::nullopt;
  return SessionRecord{s.text(0), s.int64(1), s.int64(2), s.int64(3)};
}

void SqliteTx::touch_session(const std::string& id_hash, Millis now) {
  c_.prepare("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?").bind_all(now, id_hash).run();
}

void SqliteTx::delete_session(const std::string& id_hash) {
  c_.prepare("DELETE FROM sessions WHERE id_hash = ?").bind_all(id_hash).run();
}

void SqliteTx::delete_sessions_of(Id account_id, const std::string& except_id_hash) {
  c_.prepare("DELETE FROM sessions WHERE account_id = ? AND id_hash <> ?")
      .bind_all(account_id, except_id_hash)
      .run();
}

void SqliteTx::delete_sessions_idle_since(Millis idle_before, Millis created_before) {
  c_.prepare("DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?")
      .bind_all(idle_before, created_before)
      .run();
}

}  // namespace onshi::store::sqlite
