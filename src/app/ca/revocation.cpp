#include "app/ca/revocation.hpp"

#include <fmt/format.h>

#include <chrono>

#include "app/ca/pickup.hpp"
#include "app/core/dates_shown.hpp"
#include "app/core/outbox.hpp"
#include "domain/calendar_date.hpp"
#include "domain/certificate_state.hpp"
#include "util/text.hpp"

namespace onshi::app {
namespace {

constexpr store::Millis kJstOffsetMs = 9LL * 3'600'000;

// The reason by its RFC 5280 name, among those the CPS allows (CPIPCS 4.9.1).
std::optional<domain::RevocationReason> allowed_reason(std::string_view name) {
  for (int code = 0; code <= 10; ++code) {
    const auto r = domain::revocation_reason_from_code(code);
    if (r && domain::reason_key(*r) == name && domain::revocation_reason_allowed(*r)) return *r;
  }
  return std::nullopt;
}

// The start of `date` in Japan, in Unix milliseconds.
store::Millis jst_midnight(std::chrono::year_month_day date) {
  const auto days = std::chrono::sys_days{date}.time_since_epoch();
  return std::chrono::duration_cast<std::chrono::milliseconds>(days).count() - kJstOffsetMs;
}

// A serial as people paste it: from the pages (upper case in fours), openssl (colons) or raw.
std::string serial_typed(std::string_view typed) {
  std::string out;
  for (const char ch : util::normalize_code_input(typed)) {
    if (ch == ' ' || ch == ':') continue;
    out += ch >= 'A' && ch <= 'F' ? static_cast<char>(ch - 'A' + 'a') : ch;
  }
  return out;
}

Failure not_found() {
  return Failure::of(FailureCode::not_found, "certificate.not_found");
}

}  // namespace

Result<store::CertificateRecord> revoke_certificate(const Services& s, const Actor& who,
                                                    const RevocationRequest& request) {
  if (!allowed(who.role, Permission::issue))
    return std::unexpected(Failure::of(FailureCode::forbidden, "review.forbidden"));
  FieldErrors errors;
  const auto reason = allowed_reason(util::trim(request.reason));
  if (!reason) errors.push_back({"reason", "revocation.reason_unknown"});
  std::optional<store::Millis> since;
  if (request.compromised_since) {
    const auto date = domain::parse_date(*request.compromised_since);
    if (reason && *reason != domain::RevocationReason::key_compromise) {
      errors.push_back({"compromised_since", "revocation.since_needs_key_compromise"});
    } else if (!date) {
      errors.push_back({"compromised_since", std::string(domain::error_key(date.error()))});
    } else if (jst_midnight(*date) > s.now_ms()) {
      errors.push_back({"compromised_since", "revocation.since_in_future"});
    } else {
      since = jst_midnight(*date);
    }
  }
  if (!errors.empty()) return std::unexpected(Failure::invalid(std::move(errors)));

  const auto typed = util::trim(request.certificate);
  const auto number = normalize_issuance_number(typed);
  return s.db.write([&](store::WriteTx& tx) -> Result<store::CertificateRecord> {
    auto& certs = tx.certificates();
    auto c = number.empty() ? certs.find_certificate_by_serial(serial_typed(typed))
                            : certs.find_current_certificate(number);
    if (!c) return std::unexpected(not_found());
    const auto now = s.now_ms();
    if (c->revoked_at || c->status == domain::CertificateState::revoked)
      return std::unexpected(Failure::of(FailureCode::conflict, "certificate.already_revoked"));
    if (now >= c->not_after)
      return std::unexpected(Failure::of(FailureCode::conflict, "certificate.already_expired"));
    const int code = static_cast<int>(*reason);
    if (!certs.revoke_certificate(c->id, code, now, since))
      return std::unexpected(Failure::of(FailureCode::conflict, "certificate.already_revoked"));
    tx.audit().append_audit(
        {who.audit_name(), "certificate.revoke", c->issuance_number,
         audit_detail({{"serial", c->serial_hex},
                       {"reason", domain::reason_key(*reason)},
                       {"invalidity_date", since ? std::to_string(*since) : std::string()},
                       {"by", who.login}})},
        now);
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
    d.set("reason",
          s.messages.get("revocation.reason." + std::string(domain::reason_key(*reason))));
    enqueue_mail(s, tx, a->email, "certificate_revoked", d);
    auto revoked = certs.find_certificate_by_serial(c->serial_hex);
    return *revoked;
  });
}

std::vector<store::CertificateRecord> list_certificates(const Services& s,
                                                        const store::CertificateFilter& filter) {
  return s.db.read([&](store::ReadTx& tx) { return tx.certificates().find_certificates(filter); });
}

}  // namespace onshi::app
