// Password change (logged in) and reset (by e-mailed link).
#include <fmt/format.h>

#include "app/accounts/accounts.hpp"
#include "app/accounts/login_rules.hpp"
#include "app/core/outbox.hpp"
#include "util/secrets.hpp"

namespace onshi::app {
namespace {

FieldErrors check_new_password(const Services& s, std::string_view email,
                               const std::string& password, const std::string& confirm) {
  if (auto problem = s.passwords.problem(password, email)) return {{"new_password", *problem}};
  if (password != confirm) return {{"new_password_confirm", "password.mismatch"}};
  return {};
}

}  // namespace

Result<> change_password(const Services& s, const SessionUser& user,
                         const PasswordChangeInput& in) {
  // Typing the current password is guessing it as a login would: counted with the login's
  // throttle (login_rules.hpp), so a stolen session cannot try passwords without limit.
  const auto who = account_throttle(user.account.email_key);
  const auto attempt =
      s.db.write([&](store::WriteTx& tx) { return claim_login_attempt(s, tx, who); });
  if (!attempt) {
    auto f = Failure::of(FailureCode::throttled, "password.change_throttled");
    f.fields = {{"current_password", "password.change_throttled"}};
    return std::unexpected(std::move(f));
  }
  const bool current_ok = util::verify_password(user.account.password_hash, in.current_password);
  FieldErrors errors;
  if (!current_ok) errors.push_back({"current_password", "password.current_wrong"});
  for (auto& e :
       check_new_password(s, user.account.email, in.new_password, in.new_password_confirm))
    errors.push_back(std::move(e));
  if (!current_ok) {
    s.db.write([&](store::WriteTx& tx) {
      hold_login_lock(s, tx, who, *attempt);
      tx.audit().append_audit({fmt::format("account:{}", user.account.id), "password.change_failed",
                               user.account.email, fmt::format("{{\"failures\":{}}}", *attempt)},
                              s.now_ms());
    });
    return std::unexpected(Failure::invalid(std::move(errors)));
  }
  if (!errors.empty()) {
    // The right current password proves who types, as a login does.
    s.db.write([&](store::WriteTx& tx) { clear_login_attempts(tx, who); });
    return std::unexpected(Failure::invalid(std::move(errors)));
  }
  const auto hash = util::hash_password(in.new_password);
  s.db.write([&](store::WriteTx& tx) {
    const auto now = s.now_ms();
    clear_login_attempts(tx, who);
    tx.accounts().set_account_password(user.account.id, hash);
    tx.sessions().delete_sessions_of(user.account.id, util::sha256_hex(user.session_token));
    tx.tokens().expire_tokens(store::TokenKind::reset_password, user.account.id, now);
    util::TemplateData d;
    d.set("institution_name", user.institution.name);
    enqueue_mail(s, tx, user.account.email, "password_changed", d);
    tx.audit().append_audit(
        {fmt::format("account:{}", user.account.id), "password.change", user.account.email, "{}"},
        now);
  });
  return {};
}

void request_password_reset(const Services& s, std::string_view email) {
  const std::string token = util::random_token();
  s.db.write([&](store::WriteTx& tx) {
    const auto now = s.now_ms();
    auto account = tx.accounts().find_account_by_email_key(email_key(email));
    if (!account || account->disabled_at) return;
    tx.tokens().expire_tokens(store::TokenKind::reset_password, account->id, now);
    tx.tokens().insert_token(store::TokenKind::reset_password, util::sha256_hex(token), account->id,
                             now + s.config.reset_token_minutes * 60'000LL, now);
    util::TemplateData d;
    d.set("token", token);
    d.set("minutes", std::to_string(s.config.reset_token_minutes));
    enqueue_mail(s, tx, account->email, "password_reset", d, MailBody::single_use_link);
    tx.audit().append_audit(
        {fmt::format("account:{}", account->id), "password.reset_requested", account->email, "{}"},
        now);
  });
}

Result<> reset_password(const Services& s, const PasswordResetInput& in) {
  const auto link_invalid = [] {
    return std::unexpected(Failure::of(FailureCode::unauthenticated, "link.invalid"));
  };
  struct Link {
    std::optional<store::TokenRecord> token;
    std::optional<store::Account> account;
  };
  const auto token_hash = util::sha256_hex(in.token);
  const auto [token, account] = s.db.read([&](store::ReadTx& tx) {
    Link l{tx.tokens().find_live_token(store::TokenKind::reset_password, token_hash, s.now_ms()),
           std::nullopt};
    if (l.token) l.account = tx.accounts().find_account(l.token->account_id);
    return l;
  });
  if (!token || !account || account->disabled_at) return link_invalid();
  if (auto errors = check_new_password(s, account->email, in.new_password, in.new_password_confirm);
      !errors.empty()) {
    return std::unexpected(Failure::invalid(std::move(errors)));
  }
  const auto hash = util::hash_password(in.new_password);
  return s.db.write([&](store::WriteTx& tx) -> Result<> {
    const auto now = s.now_ms();
    // Checked again inside the transaction: two tabs may submit the same link.
    if (!tx.tokens().find_live_token(store::TokenKind::reset_password, token_hash, now))
      return link_invalid();
    tx.tokens().mark_token_used(token->id, now);
    tx.accounts().set_account_password(account->id, hash);
    // Following the mailed link proves the address, as the verification link would have.
    tx.accounts().set_account_verified(account->id, now);
    tx.sessions().delete_sessions_of(account->id, "");
    clear_login_attempts(tx, account_throttle(account->email_key));
    tx.audit().append_audit(
        {fmt::format("account:{}", account->id), "password.reset", account->email, "{}"}, now);
    return {};
  });
}

}  // namespace onshi::app
