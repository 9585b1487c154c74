#include "store/sqlite/sqlite_tx.hpp"

namespace onshi::store::sqlite {
namespace {

constexpr std::string_view kAccountColumns =
    "id, institution_id, email, email_key, password_hash, verified_at, disabled_at, created_at";

Account read_account(const Statement& s, int first = 0) {
  Account a;
  a.id = s.int64(first);
  a.institution_id = s.int64(first + 1);
  a.email = s.text(first + 2);
  a.email_key = s.text(first + 3);
  a.password_hash = s.text(first + 4);
  a.verified_at = s.optional_int64(first + 5);
  a.disabled_at = s.optional_int64(first + 6);
  a.created_at = s.int64(first + 7);
  return a;
}

std::optional<Institution> one_institution(Statement&& s) {
  if (!s.step()) return std::nullopt;
  return Institution{s.int64(0), s.text(1), s.text(2)};
}

}  // namespace

std::optional<Institution> SqliteTx::find_institution_by_code(const std::string& code) {
  return one_institution(std::move(
      c_.prepare("SELECT id, code, name FROM institutions WHERE code = ?").bind_all(code)));
}

std::optional<Institution> SqliteTx::find_institution(Id id) {
  return one_institution(
      std::move(c_.prepare("SELECT id, code, name FROM institutions WHERE id = ?").bind_all(id)));
}

Id SqliteTx::insert_institution(const std::string& code, const std::string& name, Millis now) {
  c_.prepare("INSERT INTO institutions (code, name, created_at) VALUES (?, ?, ?)")
      .bind_all(code, name, now)
      .run();
  return c_.last_insert_rowid();
}

Id SqliteTx::insert_account(const Account& a) {
  c_.prepare(
        "INSERT INTO accounts (institution_id, email, email_key, password_hash, verified_at, "
        "disabled_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .bind_all(a.institution_id, a.email, a.email_key, a.password_hash, a.verified_at,
                a.disabled_at, a.created_at)
      .run();
  return c_.last_insert_rowid();
}

std::optional<Account> SqliteTx::find_account_by_email_key(const std::string& email_key) {
  static const std::string sql =
      std::string("SELECT ").append(kAccountColumns).append(" FROM accounts WHERE email_key = ?");
  auto s = c_.prepare(sql);
  s.bind_all(email_key);
  if (!s.step()) return std::nullopt;
  return read_account(s);
}

std::optional<Account> SqliteTx::find_account(Id id) {
  static const std::string sql =
      std::string("SELECT ").append(kAccountColumns).append(" FROM accounts WHERE id = ?");
  auto s = c_.prepare(sql);
  s.bind_all(id);
  if (!s.step()) return std::nullopt;
  return read_account(s);
}

void SqliteTx::set_account_verified(Id id, Millis at) {
  c_.prepare("UPDATE accounts SET verified_at = ? WHERE id = ? AND verified_at IS NULL")
      .bind_all(at, id)
      .run();
}

void SqliteTx::set_account_password(Id id, const std::string& hash) {
  c_.prepare("UPDATE accounts SET password_hash = ? WHERE id = ?").bind_all(hash, id).run();
}

void SqliteTx::set_account_disabled(Id id, std::optional<Millis> at) {
  c_.prepare("UPDATE accounts SET disabled_at = ? WHERE id = ?").bind_all(at, id).run();
}

std::vector<AccountSummary> SqliteTx::list_accounts() {
  static const std::string sql =
      "SELECT a.id, a.institution_id, a.email, a.email_key, a.password_hash, a.verified_at, "
      "a.disabled_at, a.created_at, i.id, i.code, i.name FROM accounts a "
      "JOIN institutions i ON i.id = a.institution_id ORDER BY a.id";
  auto s = c_.prepare(sql);
  std::vector<AccountSummary> out;
  while (s.step()) out.push_back({read_account(s), Institution{s.int64(8), s.text(9), s.text(10)}});
  return out;
}

LoginThrottle SqliteTx::login_throttle(const std::string& key) {
  auto s = c_.prepare("SELECT failures, locked_until FROM login_throttle WHERE subject = ?");
  s.bind_all(key);
  if (!s.step()) return {};
  return {s.integer(0), s.int64(1)};
}

std::optional<int> SqliteTx::count_login_attempt(const std::string& key, Millis now) {
  // One statement that reads and writes the count: a locked key's row is left as it is and no row
  // comes back.
  auto s = c_.prepare(
      "INSERT INTO login_throttle (subject, failures, locked_until) VALUES (?, 1, 0) "
      "ON CONFLICT (subject) DO UPDATE SET failures = failures + 1 WHERE locked_until <= ? "
      "RETURNING failures");
  s.bind_all(key, now);
  if (!s.step()) return std::nullopt;
  const int failures = s.integer(0);
  s.run();  // to the end of the statement
  return failures;
}

void SqliteTx::lock_login(const std::string& key, Millis until) {
  c_.prepare("UPDATE login_throttle SET locked_until = max(locked_until, ?) WHERE subject = ?")
      .bind_all(until, key)
      .run();
}

void SqliteTx::clear_login_throttle(const std::string& key) {
  c_.prepare("DELETE FROM login_throttle WHERE subject = ?").bind_all(key).run();
}

}  // namespace onshi::store::sqlite
