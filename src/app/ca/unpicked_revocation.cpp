#include "app/ca/unpicked_revocation.hpp"

#include <map>

#include "app/ca/own_revocation.hpp"
#include "app/ca/revocation_steps.hpp"
#include "app/core/dates_shown.hpp"
#include "app/core/outbox.hpp"
#include "domain/certificate_state.hpp"
#include "util/text.hpp"

namespace onshi::app {
namespace {

constexpr store::Millis kDayMs = 86'400'000;

void mail_application(const Services& s, store::WriteTx& tx, store::Id application_id,
                      const std::vector<store::CertificateRecord>& revoked, store::Millis now) {
  const auto a = tx.certificate_applications().find_certificate_application_by_id(application_id);
  if (!a) throw std::logic_error("revocation: a certificate without its application");
  util::TemplateData d;
  d.set("institution_name", a->institution_name);
  d.set("contact_name", a->contact_name);
  d.set("application_number", a->number);
  d.set("count", std::to_string(revoked.size()));
  util::TemplateData list{util::TemplateData::type::list};
  for (const auto& c : revoked) {
    util::TemplateData item = revocation::mail_item(c);
    item.set("pickup_expires_at", time_shown(s.messages, c.pickup_expires_at));
    list.push_back(item);
  }
  d.set("certificates", list);
  d.set("when", time_shown(s.messages, now));
  d.set("reason", s.messages.get("revocation.reason.cessationOfOperation"));
  enqueue_mail(s, tx, a->email, "certificates_unpicked_revoked", d);
}

}  // namespace

int revoke_unpicked_certificates(const Services& s) {
  // Durable, as the operator's revocation (revocation.cpp).
  return s.db.write(store::Durability::full, [&](store::WriteTx& tx) {
    const auto now = s.now_ms();
    const auto cut =
        now - static_cast<store::Millis>(s.config.unpicked_revocation_grace_days) * kDayMs;
    auto& certs = tx.certificates();
    std::map<store::Id, std::vector<store::CertificateRecord>> by_application;
    int revoked = 0;
    for (const auto& c : certs.unpicked_past(cut)) {
      // Past its notAfter it is expired, not revoked: nothing relies on it any more.
      if (now >= c.not_after) continue;
      if (!certs.revoke_unpicked(c.id, cut, now)) continue;
      ++revoked;
      tx.audit().append_audit(
          {"system", "certificate.revoke", c.issuance_number,
           audit_detail(
               {{"serial", c.serial_hex},
                {"reason", domain::reason_key(domain::RevocationReason::cessation_of_operation)},
                {"invalidity_date", ""},
                {"why", "unpicked"}})},
          now);
      by_application[c.application_id].push_back(c);
    }
    for (const auto& [application_id, list] : by_application) {
      mail_application(s, tx, application_id, list, now);
    }
    return revoked;
  });
}

}  // namespace onshi::app
