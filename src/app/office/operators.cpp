// Operators: creation, login with password + TOTP, sessions, roles.
#include "app/office/operators.hpp"
#include "app/accounts/login_rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <regex>

#include "app/core/form_values.hpp"
#include "app/core/outbox.hpp"
#include "util/secrets.hpp"
#include "util/text.hpp"
#include "util/totp.hpp"

namespace onshi::app {
std::string Actor::audit_name() const {
  return fmt::format("{}operator:{}", via_cli ? "cli:" : "", operator_id);
}

std::optional<Actor> cli_actor(const Services& s, std::string_view login) {
  std::optional<store::Operator> op;
  s.db.read(
      [&](store::ReadTx& tx) { op = tx.operators().find_operator_by_login(std::string(login)); });
  if (!op || op->disabled_at) return std::nullopt;
  return Actor{op->id, op->login, op->role, true};
}

bool allowed(Role role, Permission p) {
  if (role == Role::admin) return true;
  switch (p) {
    case Permission::review:
      return role == Role::reviewer;
    case Permission::issue:
    case Permission::letters:
      return role == Role::issuer;
    case Permission::read_audit:
    case Permission::billing:  // 月次締め and 入金: admin only
      return false;
  }
  return false;
}

Result<CreatedOperator> create_operator(const Services& s, const OperatorCreation& in) {
  FieldErrors errors;
  static const std::regex login_pattern("[a-z0-9._-]{3,32}");
  const std::string login(util::trim(in.login));
  if (!std::regex_match(login, login_pattern)) {
    errors.push_back({"login", "operator_form.login_invalid"});
  }
  // NFKC before trimming, as on the portal's forms: a full-width space alone is no name.
  const auto checked_name = plain_text(in.display_name, "display_name");
  if (!checked_name) {
    const std::string& key = checked_name.error();
    errors.push_back({"display_name", key.ends_with(".empty") ? "operator_form.display_name_empty"
                                      : key.ends_with(".too_long")
                                          ? "operator_form.display_name_too_long"
                                          : "operator_form.display_name_invalid"});
  }
  const std::string name = checked_name.value_or("");
  const auto role = parse_role(in.role);
  if (!role) errors.push_back({"role", "operator_form.role_invalid"});
  if (auto problem = s.passwords.problem(in.password, login)) {
    errors.push_back({"password", *problem});
  }
  if (!errors.empty()) return std::unexpected(Failure::invalid(std::move(errors)));

  store::Operator op;
  op.login = login;
  op.display_name = name;
  op.role = *role;
  op.password_hash = util::hash_password(in.password);
  op.totp_secret = util::new_totp_secret();
  op.created_at = s.now_ms();
  CreatedOperator out;
  try {
    s.db.write([&](store::WriteTx& tx) {
      out.id = tx.operators().insert_operator(op);
      tx.audit().append_audit({"cli", "operator.create", login,
                               audit_detail({{"role", role_key(op.role)}, {"display_name", name}})},
                              op.created_at);
    });
  } catch (const store::UniqueViolation&) {
    return std::unexpected(Failure::invalid({{"login", "operator_form.login_taken"}}));
  }
  out.totp_secret = op.totp_secret;
  out.totp_uri = util::totp_uri("onshi", login, op.totp_secret);
  return out;
}

Result<> set_operator_disabled(const Services& s, std::string_view login, bool disabled) {
  return s.db.write([&](store::WriteTx& tx) -> Result<> {
    auto op = tx.operators().find_operator_by_login(std::string(login));
    if (!op) return std::unexpected(Failure::of(FailureCode::not_found, "operator.not_found"));
    const auto now = s.now_ms();
    tx.operators().set_operator_disabled(op->id, disabled ? std::optional(now) : std::nullopt);
    if (disabled) tx.operators().delete_operator_sessions_of(op->id);
    tx.audit().append_audit(
        {"cli", disabled ? "operator.disable" : "operator.enable", op->login, "{}"}, now);
    return {};
  });
}

Result<std::string> operator_login(const Services& s, std::string_view login,
                                   std::string_view password, std::string_view totp_code,
                                   std::string_view replacing_session) {
  const std::string key(util::trim(login));
  // Counted before the password is checked, as for the clinics' login (login_rules.hpp). Unknown
  // logins are counted too (in login_throttle), so a lock does not tell which login IDs exist.
  struct Claimed {
    std::optional<store::Operator> op;
    LoginThrottleSubject who;
    std::optional<int> attempt;
  };
  const auto claimed = s.db.write([&](store::WriteTx& tx) {
    auto op = tx.operators().find_operator_by_login(key);
    auto who = operator_throttle(key, op ? std::optional(op->id) : std::nullopt);
    auto attempt = claim_login_attempt(s, tx, who);
    return Claimed{std::move(op), std::move(who), attempt};
  });
  const auto& op = claimed.op;
  const auto& who = claimed.who;
  const auto& attempt = claimed.attempt;
  if (!attempt) {
    return std::unexpected(Failure::of(FailureCode::throttled, "operator_login.throttled"));
  }

  // Argon2id runs outside the transaction so the writer lock is not held while hashing; an
  // unknown login costs the same time as a wrong password.
  const auto now = s.now_ms();
  const bool password_ok =
      util::verify_password(op ? op->password_hash : dummy_password_hash(), password);
  std::optional<std::int64_t> step;
  if (op && password_ok) step = util::totp_match(op->totp_secret, totp_code, now / 1000);

  // A refusal is a plain value here, not an error: the failure's count and audit must commit.
  auto token = s.db.write([&](store::WriteTx& tx) -> std::optional<std::string> {
    const auto answered = s.now_ms();
    const bool ok = op && password_ok && step && !op->disabled_at &&
                    tx.operators().advance_operator_totp_step(op->id, *step);
    if (!ok) {
      hold_login_lock(s, tx, who, *attempt);
      if (op) {
        tx.audit().append_audit(
            {fmt::format("operator:{}", op->id), "operator.login_failed", op->login,
             fmt::format("{{\"failures\":{},\"password_ok\":{}}}", *attempt,
                         password_ok ? "true" : "false")},
            answered);
      }
      return std::nullopt;
    }
    clear_login_attempts(tx, who);
    if (!replacing_session.empty() && replacing_session.size() <= kMaxSessionTokenLength) {
      tx.operators().delete_operator_session(util::sha256_hex(replacing_session));
    }
    std::string t = util::random_token();
    tx.operators().insert_operator_session({util::sha256_hex(t), op->id, answered, answered});
    tx.audit().append_audit({fmt::format("operator:{}", op->id), "operator.login", op->login, "{}"},
                            answered);
    return t;
  });
  if (!token) {
    return std::unexpected(
        Failure::of(FailureCode::unauthenticated, "operator_login.bad_credentials"));
  }
  return std::move(*token);
}

std::optional<OperatorSessionUser> resolve_operator_session(const Services& s,
                                                            std::string_view token) {
  if (token.empty() || token.size() > kMaxSessionTokenLength) return std::nullopt;
  const auto hash = util::sha256_hex(token);
  const auto now = s.now_ms();
  std::optional<OperatorSessionUser> user;
  bool expired = false;
  bool touch = false;
  s.db.read([&](store::ReadTx& tx) {
    auto session = tx.operators().find_operator_session(hash);
    if (!session) return;
    const auto age = session_age(s, session->created_at, session->last_seen_at, now);
    if (age == SessionAge::expired) {
      expired = true;
      return;
    }
    auto op = tx.operators().find_operator(session->operator_id);
    if (!op || op->disabled_at) return;
    touch = age == SessionAge::live_touch;
    Actor actor{op->id, op->login, op->role, false};
    user = OperatorSessionUser{std::move(*op), std::move(actor), std::string(token)};
  });
  if (expired) {
    s.db.write([&](store::WriteTx& tx) { tx.operators().delete_operator_session(hash); });
  } else if (touch) {
    s.db.write([&](store::WriteTx& tx) { tx.operators().touch_operator_session(hash, now); });
  }
  return user;
}

void operator_logout(const Services& s, std::string_view token) {
  const auto hash = util::sha256_hex(token);
  s.db.write([&](store::WriteTx& tx) {
    auto session = tx.operators().find_operator_session(hash);
    if (!session) return;
    tx.operators().delete_operator_session(hash);
    tx.audit().append_audit(
        {fmt::format("operator:{}", session->operator_id), "operator.logout", "", "{}"},
        s.now_ms());
  });
}

std::vector<store::Operator> list_operators(const Services& s) {
  std::vector<store::Operator> ops;
  s.db.read([&](store::ReadTx& tx) { ops = tx.operators().list_operators(); });
  return ops;
}

std::map<store::Id, std::string> operator_names(const Services& s) {
  std::map<store::Id, std::string> names;
  for (const auto& o : list_operators(s)) names[o.id] = o.display_name;
  return names;
}

}  // namespace onshi::app
