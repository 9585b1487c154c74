#include <fmt/format.h>

#include "store/sql/repositories.hpp"
#include "store/sql/sql_tx.hpp"

namespace onshi::store::sql {

namespace {

std::optional<ApiToken> read_token(Statement& s) {
  if (!s.step()) return std::nullopt;
  return ApiToken{s.int64(0), s.int64(1),          s.text(2),
                  s.int64(3), s.optional_int64(4), s.optional_int64(5)};
}

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

LoginThrottle SqlTokens::login_throttle(const std::string& key) {
  auto s = c_.prepare("SELECT failures, locked_until FROM login_throttle WHERE subject = ?");
  s.bind_all(key);
  if (!s.step()) return {};
  return {s.integer(0), s.int64(1)};
}

std::optional<int> SqlTokens::count_login_attempt(const std::string& key, Millis now) {
  // One statement that reads and writes the count: a locked key's row is left as it is and no row
  // comes back.
  auto s = c_.prepare(
      "INSERT INTO login_throttle (subject, failures, locked_until) VALUES (?, 1, 0) "
      "ON CONFLICT (subject) DO UPDATE SET failures = login_throttle.failures + 1 WHERE "
      "login_throttle.locked_until <= ? "
      "RETURNING failures");
  s.bind_all(key, now);
  if (!s.step()) return std::nullopt;
  const int failures = s.integer(0);
  s.run();  // to the end of the statement
  return failures;
}

void SqlTokens::lock_login(const std::string& key, Millis until) {
  // CASE, not max(a, b): the scalar max is SQLite's, PostgreSQL spells it greatest.
  c_.prepare(
        "UPDATE login_throttle SET locked_until = CASE WHEN locked_until > ?1 THEN locked_until "
        "ELSE ?1 END WHERE subject = ?2")
      .bind_all(until, key)
      .run();
}

void SqlTokens::forgive_login_attempt(const std::string& key) {
  c_.prepare(
        "UPDATE login_throttle SET failures = CASE WHEN failures > 0 THEN failures - 1 ELSE 0 END "
        "WHERE subject = ?")
      .bind_all(key)
      .run();
}

void SqlTokens::clear_login_throttle(const std::string& key) {
  c_.prepare("DELETE FROM login_throttle WHERE subject = ?").bind_all(key).run();
}

Id SqlTokens::insert_api_token(Id account_id, const std::string& hash, const std::string& label,
                               Millis now) {
  return c_
      .prepare(
          "INSERT INTO api_tokens (account_id, token_hash, label, created_at) VALUES (?, ?, ?, ?) "
          "RETURNING id")
      .bind_all(account_id, hash, label, now)
      .inserted_id();
}

std::optional<ApiToken> SqlTokens::find_api_token(const std::string& hash) {
  auto s = c_.prepare(
      "SELECT id, account_id, label, created_at, last_used_at, revoked_at FROM api_tokens "
      "WHERE token_hash = ? AND revoked_at IS NULL");
  s.bind_all(hash);
  return read_token(s);
}

void SqlTokens::touch_api_token(Id id, Millis now) {
  c_.prepare("UPDATE api_tokens SET last_used_at = ? WHERE id = ?").bind_all(now, id).run();
}

std::vector<ApiToken> SqlTokens::api_tokens_of(Id account_id) {
  auto s = c_.prepare(
      "SELECT id, account_id, label, created_at, last_used_at, revoked_at FROM api_tokens "
      "WHERE account_id = ? ORDER BY id");
  s.bind_all(account_id);
  std::vector<ApiToken> out;
  while (auto t = read_token(s)) out.push_back(*t);
  return out;
}

bool SqlTokens::revoke_api_token(Id account_id, Id token_id, Millis now) {
  return c_.prepare(
               "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND account_id = ? AND "
               "revoked_at IS "
               "NULL")
             .bind_all(now, token_id, account_id)
             .run() > 0;
}

void SqlTokens::insert_token(TokenKind kind, const std::string& hash, Id account_id,
                             Millis expires_at, Millis now) {
  c_.prepare(
        "INSERT INTO tokens (kind, token_hash, account_id, expires_at, created_at) VALUES (?, ?, "
        "?, ?, ?)")
      .bind_all(kind_name(kind), hash, account_id, expires_at, now)
      .run();
}

std::optional<TokenRecord> SqlTokens::find_live_token(TokenKind kind, const std::string& hash,
                                                      Millis now) {
  auto s = c_.prepare(
      "SELECT id, account_id, expires_at FROM tokens "
      "WHERE kind = ? AND token_hash = ? AND used_at IS NULL AND expires_at > ?");
  s.bind_all(kind_name(kind), hash, now);
  if (!s.step()) return std::nullopt;
  return TokenRecord{s.int64(0), s.int64(1), s.int64(2)};
}

void SqlTokens::mark_token_used(Id token_id, Millis now) {
  c_.prepare("UPDATE tokens SET used_at = ? WHERE id = ? AND used_at IS NULL")
      .bind_all(now, token_id)
      .run();
}

void SqlTokens::expire_tokens(TokenKind kind, Id account_id, Millis now) {
  c_.prepare("UPDATE tokens SET used_at = ? WHERE kind = ? AND account_id = ? AND used_at IS NULL")
      .bind_all(now, kind_name(kind), account_id)
      .run();
}

}  // namespace onshi::store::sql
