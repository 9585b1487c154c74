#include "app/ca/revocation.hpp"

#include <fmt/format.h>

#include <chrono>

#include "app/ca/own_revocation.hpp"
#include "app/ca/pickup.hpp"
#include "app/ca/revocation_steps.hpp"
#include "app/core/dates_shown.hpp"
#include "app/core/outbox.hpp"
#include "domain/calendar_date.hpp"
#include "util/text.hpp"

namespace onshi::app {
namespace revocation {
namespace {

constexpr store::Millis kJstOffsetMs = 9LL * 3'600'000;

// The start of `date` in Japan, in Unix milliseconds.
store::Millis jst_midnight(std::chrono::year_month_day date) {
  const auto days = std::chrono::sys_days{date}.time_since_epoch();
  return std::chrono::duration_cast<std::chrono::milliseconds>(days).count() - kJstOffsetMs;
}

std::optional<domain::RevocationReason> reason_named(
    std::string_view name, std::span<const domain::RevocationReason> among) {
  for (const auto r : among) {
    if (domain::reason_key(r) == name && domain::revocation_reason_allowed(r)) return r;
  }
  return std::nullopt;
}

}  // namespace

Result<Choice> check_choice(const Services& s, std::string_view reason,
                            const std::optional<std::string>& compromised_since,
                            std::span<const domain::RevocationReason> among,
                            const std::string& missing_key, const std::string& unknown_key) {
  FieldErrors errors;
  const auto name = util::trim(reason);
  const auto r = reason_named(name, among);
  if (!r) errors.push_back({"reason", name.empty() ? missing_key : unknown_key});
  Choice choice;
  if (r) choice.reason = *r;
  if (compromised_since) {
    const auto date = domain::parse_date(*compromised_since);
    if (r && *r != domain::RevocationReason::key_compromise) {
      errors.push_back({"compromised_since", "revocation.since_needs_key_compromise"});
    } else if (!date) {
      errors.push_back({"compromised_since", std::string(domain::error_key(date.error()))});
    } else if (jst_midnight(*date) > s.now_ms()) {
      errors.push_back({"compromised_since", "revocation.since_in_future"});
    } else {
      choice.invalidity_date = jst_midnight(*date);
    }
  }
  if (!errors.empty()) return std::unexpected(Failure::invalid(std::move(errors)));
  return choice;
}

std::optional<std::string> refusal_key(const store::CertificateRecord& c, store::Millis now) {
  if (c.revoked_at || c.status == domain::CertificateState::revoked)
    return "certificate.already_revoked";
  if (now >= c.not_after || c.status == domain::CertificateState::expired)
    return "certificate.already_expired";
  return std::nullopt;
}

std::string serial_typed(std::string_view typed) {
  std::string out;
  for (const char ch : util::normalize_code_input(typed)) {
    if (ch == ' ' || ch == ':') continue;
    out += ch >= 'A' && ch <= 'F' ? static_cast<char>(ch - 'A' + 'a') : ch;
  }
  return out;
}

std::optional<store::CertificateRecord> find_typed(store::CertificatesReader& certs,
                                                   std::string_view typed) {
  const auto trimmed = util::trim(typed);
  const auto number = normalize_issuance_number(trimmed);
  return number.empty() ? certs.find_certificate_by_serial(serial_typed(trimmed))
                        : certs.find_current_certificate(number);
}

util::TemplateData mail_item(const store::CertificateRecord& c) {
  util::TemplateData item;
  item.set("issuance_number", c.issuance_number);
  item.set("terminal", c.terminal);
  item.set("common_name", common_name_of(c.subject));
  item.set("serial", util::group_serial(c.serial_hex));
  return item;
}

std::optional<store::CertificateRecord> revoke_in(
    store::WriteTx& tx, const store::CertificateRecord& c, const Choice& choice,
    const std::string& actor, std::pair<std::string_view, std::string_view> extra,
    store::Millis now) {
  auto& certs = tx.certificates();
  if (!certs.revoke_certificate(c.id, static_cast<int>(choice.reason), now,
                                choice.invalidity_date)) {
    return std::nullopt;
  }
  const auto since =
      choice.invalidity_date ? std::to_string(*choice.invalidity_date) : std::string();
  tx.audit().append_audit({actor, "certificate.revoke", c.issuance_number,
                           audit_detail({{"serial", c.serial_hex},
                                         {"reason", domain::reason_key(choice.reason)},
                                         {"invalidity_date", since},
                                         extra})},
                          now);
  return certs.find_certificate_by_serial(c.serial_hex);
}

}  // namespace revocation

namespace {

// Every reason the CPS allows (CPIPCS 4.9.1), for the operator.
constexpr domain::RevocationReason kOperatorReasons[] = {
    domain::RevocationReason::unspecified,
    domain::RevocationReason::key_compromise,
    domain::RevocationReason::affiliation_changed,
    domain::RevocationReason::superseded,
    domain::RevocationReason::cessation_of_operation,
};

Failure conflict(std::string key) {
  return Failure::of(FailureCode::conflict, std::move(key));
}

Result<revocation::Choice> checked_choice(const Services& s, const Actor& who,
                                          const RevocationRequest& request) {
  if (!allowed(who.role, Permission::issue))
    return std::unexpected(Failure::of(FailureCode::forbidden, "review.forbidden"));
  return revocation::check_choice(s, request.reason, request.compromised_since, kOperatorReasons,
                                  "admin_revocation.reason_missing", "revocation.reason_unknown");
}

}  // namespace

std::span<const domain::RevocationReason> operator_revocation_reasons() {
  return kOperatorReasons;
}

Result<store::CertificateRecord> check_revocation(const Services& s, const Actor& who,
                                                  const RevocationRequest& request) {
  const auto choice = checked_choice(s, who, request);
  if (!choice) return std::unexpected(choice.error());
  return s.db.read([&](store::ReadTx& tx) -> Result<store::CertificateRecord> {
    const auto c = revocation::find_typed(tx.certificates(), request.certificate);
    if (!c) return std::unexpected(Failure::of(FailureCode::not_found, "certificate.not_found"));
    if (auto key = revocation::refusal_key(*c, s.now_ms())) return std::unexpected(conflict(*key));
    return *c;
  });
}

Result<store::CertificateRecord> revoke_certificate(const Services& s, const Actor& who,
                                                    const RevocationRequest& request) {
  const auto choice = checked_choice(s, who, request);
  if (!choice) return std::unexpected(choice.error());

  // Durable: a revocation lost to a power cut would have the CRL and OCSP call it good again.
  return s.db.write(
      store::Durability::full, [&](store::WriteTx& tx) -> Result<store::CertificateRecord> {
        const auto c = revocation::find_typed(tx.certificates(), request.certificate);
        if (!c)
          return std::unexpected(Failure::of(FailureCode::not_found, "certificate.not_found"));
        const auto now = s.now_ms();
        if (auto key = revocation::refusal_key(*c, now)) return std::unexpected(conflict(*key));
        auto revoked =
            revocation::revoke_in(tx, *c, *choice, who.audit_name(), {"by", who.login}, now);
        if (!revoked) return std::unexpected(conflict("certificate.already_revoked"));
        const auto a =
            tx.certificate_applications().find_certificate_application_by_id(c->application_id);
        if (!a) throw std::logic_error("revocation: a certificate without its application");
        util::TemplateData d;
        d.set("institution_name", a->institution_name);
        d.set("contact_name", a->contact_name);
        d.set("issuance_number", c->issuance_number);
        d.set("terminal", c->terminal);
        d.set("serial", util::group_serial(c->serial_hex));
        d.set("when", time_shown(s.messages, now));
        d.set("reason", s.messages.get("revocation.reason." +
                                       std::string(domain::reason_key(choice->reason))));
        enqueue_mail(s, tx, a->email, "certificate_revoked", d);
        return *revoked;
      });
}

std::vector<store::CertificateRecord> list_certificates(const Services& s,
                                                        const store::CertificateFilter& filter) {
  return s.db.read([&](store::ReadTx& tx) { return tx.certificates().find_certificates(filter); });
}

}  // namespace onshi::app
