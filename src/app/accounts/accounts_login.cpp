// Login with throttling, sessions and logout.
#include <fmt/format.h>

#include <algorithm>

#include "app/accounts/accounts.hpp"
#include "app/accounts/login_rules.hpp"
#include "util/secrets.hpp"

namespace onshi::app {
Result<LoginResult> login(const Services& s, std::string_view email, std::string_view password,
                          std::string_view replacing_session) {
  const std::string key = email_key(email);
  const auto who = account_throttle(key);
  // The attempt is counted before the password is checked (login_rules.hpp): thirty guesses sent
  // at once are five checked and twenty-five refused, not thirty checked.
  struct Claimed {
    std::optional<int> attempt;
    std::optional<store::Account> account;
  };
  const auto [attempt, account] = s.db.write([&](store::WriteTx& tx) {
    Claimed c{claim_login_attempt(s, tx, who), std::nullopt};
    if (c.attempt) c.account = tx.accounts().find_account_by_email_key(key);
    return c;
  });
  if (!attempt) return std::unexpected(Failure::of(FailureCode::throttled, "login.throttled"));

  const bool password_ok =
      util::verify_password(account ? account->password_hash : dummy_password_hash(), password);
  const bool allowed = account && password_ok && account->verified_at && !account->disabled_at;

  // A refusal is a plain value here, not an error: the failure's count and audit must commit.
  auto result = s.db.write([&](store::WriteTx& tx) -> std::optional<LoginResult> {
    const auto now = s.now_ms();
    if (!allowed) {
      hold_login_lock(s, tx, who, *attempt);
      if (account) {
        tx.audit().append_audit({fmt::format("account:{}", account->id), "login.failed",
                                 account->email, fmt::format("{{\"failures\":{}}}", *attempt)},
                                now);
      }
      return std::nullopt;
    }
    clear_login_attempts(tx, who);
    if (util::password_needs_rehash(account->password_hash)) {
      tx.accounts().set_account_password(account->id, util::hash_password(password));
    }
    // Logging in again in the same browser ends the session it had, whoever it belonged to.
    if (!replacing_session.empty() && replacing_session.size() <= kMaxSessionTokenLength) {
      tx.sessions().delete_session(util::sha256_hex(replacing_session));
    }
    LoginResult r{util::random_token()};
    tx.sessions().insert_session({util::sha256_hex(r.session_token), account->id, now, now});
    tx.audit().append_audit({fmt::format("account:{}", account->id), "login", account->email, "{}"},
                            now);
    return r;
  });
  if (!result) return std::unexpected(Failure::of(FailureCode::unauthenticated, "login.failed"));
  return std::move(*result);
}

std::optional<SessionUser> resolve_session(const Services& s, std::string_view session_token) {
  if (session_token.empty() || session_token.size() > kMaxSessionTokenLength) return std::nullopt;
  const auto hash = util::sha256_hex(session_token);
  const auto now = s.now_ms();
  std::optional<SessionUser> user;
  bool expired = false;
  bool touch = false;
  s.db.read([&](store::ReadTx& tx) {
    auto session = tx.sessions().find_session(hash);
    if (!session) return;
    const auto age = session_age(s, session->created_at, session->last_seen_at, now);
    if (age == SessionAge::expired) {
      expired = true;
      return;
    }
    auto account = tx.accounts().find_account(session->account_id);
    if (!account || account->disabled_at) return;
    auto institution = tx.accounts().find_institution(account->institution_id);
    if (!institution) return;
    touch = age == SessionAge::live_touch;
    user = SessionUser{std::move(*account), std::move(*institution), std::string(session_token)};
  });
  if (expired) {
    s.db.write([&](store::WriteTx& tx) { tx.sessions().delete_session(hash); });
  } else if (touch) {
    s.db.write([&](store::WriteTx& tx) { tx.sessions().touch_session(hash, now); });
  }
  return user;
}

void logout(const Services& s, std::string_view session_token) {
  const auto hash = util::sha256_hex(session_token);
  s.db.write([&](store::WriteTx& tx) {
    auto session = tx.sessions().find_session(hash);
    if (!session) return;
    tx.sessions().delete_session(hash);
    tx.audit().append_audit({fmt::format("account:{}", session->account_id), "logout", "", "{}"},
                            s.now_ms());
  });
}

std::string csrf_key(const Services& s) {
  std::string key;
  s.db.write([&](store::WriteTx& tx) {
    if (auto stored = tx.settings().setting("csrf_key")) {
      key = *stored;
    } else {
      key = util::random_token(32);
      tx.settings().put_setting("csrf_key", key);
    }
  });
  return key;
}

std::vector<store::AccountSummary> list_accounts(const Services& s) {
  std::vector<store::AccountSummary> accounts;
  s.db.read([&](store::ReadTx& tx) { accounts = tx.accounts().list_accounts(); });
  return accounts;
}

}  // namespace onshi::app
