#include "app/accounts/api_tokens.hpp"
#include "app/accounts/login_rules.hpp"

#include <fmt/format.h>

#include "app/core/outbox.hpp"
#include "util/secrets.hpp"
#include "util/text.hpp"

namespace onshi::app {
namespace {

// The prefix tells a leaked string's kind at a glance (and lets secret scanners find it).
constexpr std::string_view kPrefix = "onshi_";

Failure no_such_account() {
  return Failure::of(FailureCode::not_found, "api_token.no_such_account");
}

}  // namespace

Result<NewApiToken> create_api_token(const Services& s, std::string_view email,
                                     std::string_view label) {
  const std::string clean_label(util::trim(label));
  if (clean_label.empty()) {
    return std::unexpected(
        Failure::invalid({{"label", "api_token.empty_label"}}, "api_token.empty_label"));
  }
  const std::string token = std::string(kPrefix) + util::random_token();
  return s.db.write([&](store::WriteTx& tx) -> Result<NewApiToken> {
    auto account = tx.accounts().find_account_by_email_key(email_key(email));
    if (!account) return std::unexpected(no_such_account());
    NewApiToken out;
    out.token = token;
    const auto now = s.now_ms();
    out.id =
        tx.tokens().insert_api_token(account->id, util::sha256_hex(out.token), clean_label, now);
    tx.audit().append_audit(
        {"cli", "api_token.create", account->email,
         audit_detail({{"label", clean_label}, {"id", std::to_string(out.id)}})},
        now);
    return out;
  });
}

Result<std::vector<store::ApiToken>> list_api_tokens(const Services& s, std::string_view email) {
  return s.db.read([&](store::ReadTx& tx) -> Result<std::vector<store::ApiToken>> {
    auto account = tx.accounts().find_account_by_email_key(email_key(email));
    if (!account) return std::unexpected(no_such_account());
    return tx.tokens().api_tokens_of(account->id);
  });
}

Result<> revoke_api_token(const Services& s, std::string_view email, store::Id id) {
  return s.db.write([&](store::WriteTx& tx) -> Result<> {
    auto account = tx.accounts().find_account_by_email_key(email_key(email));
    if (!account) return std::unexpected(no_such_account());
    const auto now = s.now_ms();
    if (!tx.tokens().revoke_api_token(account->id, id, now))
      return std::unexpected(Failure::of(FailureCode::not_found, "api_token.no_such_token"));
    tx.audit().append_audit(
        {"cli", "api_token.revoke", account->email, fmt::format("{{\"id\":{}}}", id)}, now);
    return {};
  });
}

std::optional<SessionUser> resolve_api_token(const Services& s, std::string_view token) {
  if (!token.starts_with(kPrefix) || token.size() > 128) return std::nullopt;
  const auto hash = util::sha256_hex(token);
  std::optional<SessionUser> user;
  std::optional<store::Id> touch;
  const auto now = s.now_ms();
  s.db.read([&](store::ReadTx& tx) {
    auto t = tx.tokens().find_api_token(hash);
    if (!t) return;
    auto account = tx.accounts().find_account(t->account_id);
    if (!account || account->disabled_at || !account->verified_at) return;
    auto institution = tx.accounts().find_institution(account->institution_id);
    if (!institution) return;
    if (!t->last_used_at || *t->last_used_at + kTouchEveryMs < now) touch = t->id;
    user = SessionUser{std::move(*account), std::move(*institution), ""};
  });
  if (touch) s.db.write([&](store::WriteTx& tx) { tx.tokens().touch_api_token(*touch, now); });
  return user;
}

}  // namespace onshi::app
