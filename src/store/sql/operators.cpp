#include "store/sql/repositories.hpp"
#include "store/sql/sql_tx.hpp"

namespace onshi::store::sql {

namespace {

constexpr const char* kOperatorColumns =
    "SELECT id, login, display_name, role, password_hash, totp_secret, totp_last_step, failures, "
    "locked_until, disabled_at, created_at FROM operators ";

Operator read_operator(const Statement& s) {
  Operator o;
  o.id = s.int64(0);
  o.login = s.text(1);
  o.display_name = s.text(2);
  const auto role = domain::parse_role(s.text(3));
  if (!role) throw std::runtime_error("operators: unknown role '" + s.text(3) + "'");
  o.role = *role;
  o.password_hash = s.text(4);
  o.totp_secret = s.text(5);
  o.totp_last_step = s.int64(6);
  o.failures = s.integer(7);
  o.locked_until = s.int64(8);
  o.disabled_at = s.optional_int64(9);
  o.created_at = s.int64(10);
  return o;
}

}  // namespace

Id SqlOperators::insert_operator(const Operator& o) {
  return c_
      .prepare(
          "INSERT INTO operators (login, display_name, role, password_hash, totp_secret, "
          "created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id")
      .bind_all(o.login, o.display_name, std::string(domain::role_key(o.role)), o.password_hash,
                o.totp_secret, o.created_at)
      .inserted_id();
}

std::optional<Operator> SqlOperators::find_operator_by_login(const std::string& login) {
  auto s = c_.prepare(std::string(kOperatorColumns) + "WHERE login = ?");
  s.bind_all(login);
  if (!s.step()) return std::nullopt;
  return read_operator(s);
}

std::optional<Operator> SqlOperators::find_operator(Id id) {
  auto s = c_.prepare(std::string(kOperatorColumns) + "WHERE id = ?");
  s.bind_all(id);
  if (!s.step()) return std::nullopt;
  return read_operator(s);
}

std::vector<Operator> SqlOperators::list_operators() {
  auto s = c_.prepare(std::string(kOperatorColumns) + "ORDER BY login");
  std::vector<Operator> out;
  while (s.step()) out.push_back(read_operator(s));
  return out;
}

std::optional<int> SqlOperators::count_operator_login_attempt(Id id, Millis now) {
  auto s = c_.prepare(
      "UPDATE operators SET failures = failures + 1 WHERE id = ? AND locked_until <= ? "
      "RETURNING failures");
  s.bind_all(id, now);
  if (!s.step()) return std::nullopt;
  const int failures = s.integer(0);
  s.run();  // to the end of the statement
  return failures;
}

void SqlOperators::lock_operator(Id id, Millis until) {
  // CASE, not max(a, b): the scalar max is SQLite's, PostgreSQL spells it greatest.
  c_.prepare(
        "UPDATE operators SET locked_until = CASE WHEN locked_until > ?1 THEN locked_until ELSE "
        "?1 END WHERE id = ?2")
      .bind_all(until, id)
      .run();
}

void SqlOperators::clear_operator_throttle(Id id) {
  c_.prepare("UPDATE operators SET failures = 0, locked_until = 0 WHERE id = ?").bind_all(id).run();
}

bool SqlOperators::advance_operator_totp_step(Id id, std::int64_t step) {
  return c_.prepare("UPDATE operators SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?")
             .bind_all(step, id, step)
             .run() > 0;
}

void SqlOperators::set_operator_disabled(Id id, std::optional<Millis> at) {
  c_.prepare("UPDATE operators SET disabled_at = ? WHERE id = ?").bind_all(at, id).run();
}

void SqlOperators::insert_operator_session(const OperatorSession& s) {
  c_.prepare(
        "INSERT INTO operator_sessions (id_hash, operator_id, created_at, last_seen_at) VALUES "
        "(?, ?, ?, ?)")
      .bind_all(s.id_hash, s.operator_id, s.created_at, s.last_seen_at)
      .run();
}

std::optional<OperatorSession> SqlOperators::find_operator_session(const std::string& id_hash) {
  auto s = c_.prepare(
      "SELECT id_hash, operator_id, created_at, last_seen_at FROM operator_sessions WHERE "
      "id_hash = ?");
  s.bind_all(id_hash);
  if (!s.step()) return std::nullopt;
  return OperatorSession{s.text(0), s.int64(1), s.int64(2), s.int64(3)};
}

void SqlOperators::touch_operator_session(const std::string& id_hash, Millis now) {
  c_.prepare("UPDATE operator_sessions SET last_seen_at = ? WHERE id_hash = ?")
      .bind_all(now, id_hash)
      .run();
}

void SqlOperators::delete_operator_session(const std::string& id_hash) {
  c_.prepare("DELETE FROM operator_sessions WHERE id_hash = ?").bind_all(id_hash).run();
}

void SqlOperators::delete_operator_sessions_of(Id operator_id) {
  c_.prepare("DELETE FROM operator_sessions WHERE operator_id = ?").bind_all(operator_id).run();
}

}  // namespace onshi::store::sql
