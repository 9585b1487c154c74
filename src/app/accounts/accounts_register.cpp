// Registration, e-mail verification and the operator's account commands.
#include <fmt/format.h>

#include "app/accounts/accounts.hpp"
#include "app/core/outbox.hpp"
#include "domain/email.hpp"
#include "domain/institution_code.hpp"
#include "domain/institution_name.hpp"
#include "util/secrets.hpp"
#include "util/text.hpp"

namespace onshi::app {
namespace {

struct ValidRegistration {
  std::string email;
  std::string institution_code;
  std::string institution_name;
};

std::expected<ValidRegistration, FieldErrors> validate(
    const Services& s, std::string_view email_typed, std::string_view password,
    const std::string* confirm, std::string_view code_typed, std::string_view name_typed) {
  FieldErrors errors;
  ValidRegistration v;
  if (auto e = domain::parse_email(email_typed)) {
    v.email = *e;
  } else {
    errors.push_back({"email", std::string(domain::error_key(e.error()))});
  }
  if (auto problem = s.passwords.problem(password, v.email)) {
    errors.push_back({"password", *problem});
  } else if (confirm && *confirm != password) {
    errors.push_back({"password_confirm", "password.mismatch"});
  }
  if (auto code = domain::InstitutionCode::parse(code_typed)) {
    v.institution_code = code->digits();
  } else {
    errors.push_back({"institution_code", std::string(domain::error_key(code.error()))});
  }
  if (auto name = domain::parse_institution_name(name_typed)) {
    v.institution_name = *name;
  } else {
    errors.push_back({"institution_name", std::string(domain::error_key(name.error()))});
  }
  if (!errors.empty()) return std::unexpected(std::move(errors));
  return v;
}

}  // namespace

std::string email_key(std::string_view typed) {
  // Through the same normalisation as registration, so "staff@BÜRO.example.jp" and its punycode
  // form find the account stored as "staff@büro.example.jp".
  if (auto parsed = domain::parse_email(typed)) return util::ascii_lower(*parsed);
  return util::ascii_lower(util::trim(util::nfkc(typed).text));
}

Result<> register_account(const Services& s, const RegistrationInput& in) {
  auto valid = validate(s, in.email, in.password, &in.password_confirm, in.institution_code,
                        in.institution_name);
  if (!valid) return std::unexpected(Failure::invalid(valid.error()));
  // Hash before the transaction: Argon2id takes a while and must not hold the writer lock. Every
  // outcome of a well-formed registration pays for it, so timing does not tell them apart either.
  const std::string hash = util::hash_password(in.password);
  const std::string token = util::random_token();
  s.db.write([&](store::WriteTx& tx) {
    const auto now = s.now_ms();
    const auto key = email_key(valid->email);
    if (tx.accounts().find_account_by_email_key(key)) {
      // Say the same as for a new address, and tell the owner of the address instead, so the
      // form never reveals who is registered.
      enqueue_mail(s, tx, valid->email, "already_registered", {});
      tx.audit().append_audit({"anonymous", "account.register_repeated", key, "{}"}, now);
      return;
    }
    if (tx.accounts().find_institution_by_code(valid->institution_code)) {
      // Also the same page as for a new account: the truth goes by mail to the address typed,
      // whose owner asked.
      util::TemplateData d;
      d.set("institution_code",
            domain::InstitutionCode::parse(valid->institution_code)->formatted());
      enqueue_mail(s, tx, valid->email, "institution_already_registered", d);
      tx.audit().append_audit({"anonymous", "account.register_code_taken", valid->institution_code,
                               audit_detail({{"email", valid->email}})},
                              now);
      return;
    }
    const auto institution_id =
        tx.accounts().insert_institution(valid->institution_code, valid->institution_name, now);
    store::Account account;
    account.institution_id = institution_id;
    account.email = valid->email;
    account.email_key = key;
    account.password_hash = hash;
    account.created_at = now;
    const auto account_id = tx.accounts().insert_account(account);
    tx.tokens().insert_token(store::TokenKind::verify_email, util::sha256_hex(token), account_id,
                             now + s.config.verify_token_hours * 3'600'000LL, now);
    util::TemplateData d;
    d.set("institution_name", valid->institution_name);
    d.set("token", token);
    d.set("hours", std::to_string(s.config.verify_token_hours));
    enqueue_mail(s, tx, valid->email, "verify_email", d, MailBody::single_use_link);
    tx.audit().append_audit({fmt::format("account:{}", account_id), "account.register",
                             valid->institution_code, audit_detail({{"email", valid->email}})},
                            now);
  });
  return {};
}

Result<> verify_email(const Services& s, std::string_view token) {
  return s.db.write([&](store::WriteTx& tx) -> Result<> {
    const auto now = s.now_ms();
    auto t =
        tx.tokens().find_live_token(store::TokenKind::verify_email, util::sha256_hex(token), now);
    if (!t) return std::unexpected(Failure::of(FailureCode::unauthenticated, "link.invalid"));
    tx.tokens().mark_token_used(t->id, now);
    tx.accounts().set_account_verified(t->account_id, now);
    tx.audit().append_audit(
        {fmt::format("account:{}", t->account_id), "account.verify_email", "", "{}"}, now);
    return {};
  });
}

Result<store::Id> create_verified_account(const Services& s, const AccountCreation& in) {
  auto valid =
      validate(s, in.email, in.password, nullptr, in.institution_code, in.institution_name);
  if (!valid) return std::unexpected(Failure::invalid(valid.error()));
  const std::string hash = util::hash_password(in.password);
  return s.db.write([&](store::WriteTx& tx) -> Result<store::Id> {
    const auto now = s.now_ms();
    const auto key = email_key(valid->email);
    if (tx.accounts().find_account_by_email_key(key))
      return std::unexpected(Failure::invalid({{"email", "email.taken"}}));
    // An operator may add a second account to a known institution: they checked who asks.
    store::Id institution_id = 0;
    if (auto existing = tx.accounts().find_institution_by_code(valid->institution_code)) {
      institution_id = existing->id;
    } else {
      institution_id =
          tx.accounts().insert_institution(valid->institution_code, valid->institution_name, now);
    }
    store::Account account;
    account.institution_id = institution_id;
    account.email = valid->email;
    account.email_key = key;
    account.password_hash = hash;
    account.verified_at = now;
    account.created_at = now;
    const auto account_id = tx.accounts().insert_account(account);
    tx.audit().append_audit(
        {"cli", "account.create", valid->institution_code, audit_detail({{"email", valid->email}})},
        now);
    return account_id;
  });
}

Result<> set_account_disabled(const Services& s, std::string_view email, bool disabled) {
  return s.db.write([&](store::WriteTx& tx) -> Result<> {
    const auto now = s.now_ms();
    auto account = tx.accounts().find_account_by_email_key(email_key(email));
    if (!account) return std::unexpected(Failure::of(FailureCode::not_found, "account.not_found"));
    tx.accounts().set_account_disabled(account->id,
                                       disabled ? std::optional<store::Millis>(now) : std::nullopt);
    if (disabled) tx.sessions().delete_sessions_of(account->id, "");
    tx.audit().append_audit(
        {"cli", disabled ? "account.disable" : "account.enable", account->email, "{}"}, now);
    return {};
  });
}

}  // namespace onshi::app
