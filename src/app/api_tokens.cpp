#include "app/api_tokens.hpp"
#include "app/login_rules.hpp"

#include <fmt/format.h>

#include "app/outbox.hpp"
#include "util/secrets.hpp"
#include "util/text.hpp"

namespace onshi::app {
namespace {

// The prefix tells a leaked string's kind at a glance (and lets secret scanners find it).
constexpr std::string_view kPrefix = "onshi_";

}  // namespace

std::expected<NewApiToken, ApiTokenError> create_api_token(const Services& s,
                                                           std::string_view email,
                                                           std::string_view label) {
  const std::string clean_label(util::trim(label));
  if (clean_label.empty()) return std::unexpected(ApiTokenError::empty_label);
  NewApiToken out;
  out.token = std::string(kPrefix) + util::random_token();
  bool found = false;
  s.db.write([&](store::WriteTx& tx) {
    auto account = tx.accounts().find_account_by_email_key(email_key(email));
    if (!account) return;
    found = true;
    const auto now = s.now_ms();
    out.id =
        tx.tokens().insert_api_token(account->id, util::sha256_hex(out.token), clean_label, now);
    tx.audit().append_audit(
        {"cli", "api_token.create", account->email,
         audit_detail({{"label", clean_label}, {"id", std::to_string(out.id)}})},
        now);
  });
  if (!found) return std::unexpected(ApiTokenError::no_such_account);
  return out;
}

std::expected<std::vector<store::ApiToken>, ApiTokenError> list_api_tokens(const Services& s,
                                                                           std::string_view email) {
  std::optional<std::vector<store::ApiToken>> out;
  s.db.read([&](store::ReadTx& tx) {
    auto account = tx.accounts().find_account_by_email_key(email_key(email));
    if (account) out = tx.tokens().api_tokens_of(account->id);
  });
  if (!out) return std::unexpected(ApiTokenError::no_such_account);
  return *out;
}

std::expected<void, ApiTokenError> revoke_api_token(const Services& s, std::string_view email,
                                                    store::Id id) {
  std::optional<ApiTokenError> error;
  s.db.write([&](store::WriteTx& tx) {
    auto account = tx.accounts().find_account_by_email_key(email_key(email));
    if (!account) {
      error = ApiTokenError::no_such_account;
      return;
    }
    const auto now = s.now_ms();
    if (!tx.tokens().revoke_api_token(account->id, id, now)) {
      error = ApiTokenError::no_such_token;
      return;
    }
    tx.audit().append_audit(
        {"cli", "api_token.revoke", account->email, fmt::format("{{\"id\":{}}}", id)}, now);
  });
  if (error) return std::unexpected(*error);
  return {};
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
