#include "store/sql/repositories.hpp"
#include "store/sql/sql_tx.hpp"

namespace onshi::store::sql {

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

std::optional<Institution> SqlAccounts::find_institution_by_code(const std::string& code) {
  return one_institution(std::move(
      c_.prepare("SELECT id, code, name FROM institutions WHERE code = ?").bind_all(code)));
}

std::optional<Institution> SqlAccounts::find_institution(Id id) {
  return one_institution(
      std::move(c_.prepare("SELECT id, code, name FROM institutions WHERE id = ?").bind_all(id)));
}

Id SqlAccounts::insert_institution(const std::string& code, const std::string& name, Millis now) {
  return c_
      .prepare("INSERT INTO institutions (code, name, created_at) VALUES (?, ?, ?) RETURNING id")
      .bind_all(code, name, now)
      .inserted_id();
}

Id SqlAccounts::insert_account(const Account& a) {
  return c_
      .prepare(
          "INSERT INTO accounts (institution_id, email, email_key, password_hash, verified_at, "
          "disabled_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")
      .bind_all(a.institution_id, a.email, a.email_key, a.password_hash, a.verified_at,
                a.disabled_at, a.created_at)
      .inserted_id();
}

std::optional<Account> SqlAccounts::find_account_by_email_key(const std::string& email_key) {
  static const std::string sql =
      std::string("SELECT ").append(kAccountColumns).append(" FROM accounts WHERE email_key = ?");
  auto s = c_.prepare(sql);
  s.bind_all(email_key);
  if (!s.step()) return std::nullopt;
  return read_account(s);
}

std::optional<Account> SqlAccounts::find_account(Id id) {
  static const std::string sql =
      std::string("SELECT ").append(kAccountColumns).append(" FROM accounts WHERE id = ?");
  auto s = c_.prepare(sql);
  s.bind_all(id);
  if (!s.step()) return std::nullopt;
  return read_account(s);
}

void SqlAccounts::set_account_verified(Id id, Millis at) {
  c_.prepare("UPDATE accounts SET verified_at = ? WHERE id = ? AND verified_at IS NULL")
      .bind_all(at, id)
      .run();
}

void SqlAccounts::set_account_password(Id id, const std::string& hash) {
  c_.prepare("UPDATE accounts SET password_hash = ? WHERE id = ?").bind_all(hash, id).run();
}

void SqlAccounts::set_account_disabled(Id id, std::optional<Millis> at) {
  c_.prepare("UPDATE accounts SET disabled_at = ? WHERE id = ?").bind_all(at, id).run();
}

std::vector<AccountSummary> SqlAccounts::list_accounts() {
  static const std::string sql =
      "SELECT a.id, a.institution_id, a.email, a.email_key, a.password_hash, a.verified_at, "
      "a.disabled_at, a.created_at, i.id, i.code, i.name FROM accounts a "
      "JOIN institutions i ON i.id = a.institution_id ORDER BY a.id";
  auto s = c_.prepare(sql);
  std::vector<AccountSummary> out;
  while (s.step()) out.push_back({read_account(s), Institution{s.int64(8), s.text(9), s.text(10)}});
  return out;
}

}  // namespace onshi::store::sql
