#include "app/ca/renewal_overlap.hpp"

#include <map>

#include "app/ca/revocation_steps.hpp"
#include "app/core/dates_shown.hpp"
#include "app/core/outbox.hpp"
#include "domain/certificate_state.hpp"

namespace onshi::app {
namespace {

constexpr store::Millis kDayMs = 86'400'000;

// The renewed certificate's successor: the next generation of its 発行番号.
std::optional<store::CertificateRecord> successor_of(store::WriteTx& tx,
                                                     const store::CertificateRecord& old) {
  for (auto& c : tx.certificates().generations_of(old.issuance_number)) {
    if (c.generation == old.generation + 1) return std::move(c);
  }
  return std::nullopt;
}

struct Revoked {
  store::CertificateRecord old;
  store::CertificateRecord successor;
};

// To the address of the application that brought the successor (a renewal's, or for EST
// re-enrolment the original one): who handles the terminals now.
void mail_application(const Services& s, store::WriteTx& tx, store::Id application_id,
                      const std::vector<Revoked>& revoked, store::Millis now) {
  const auto a = tx.certificate_applications().find_certificate_application_by_id(application_id);
  if (!a) throw std::logic_error("renewal overlap: a certificate without its application");
  util::TemplateData d;
  d.set("institution_name", a->institution_name);
  d.set("contact_name", a->contact_name);
  d.set("application_number", a->number);
  d.set("count", std::to_string(revoked.size()));
  d.set("overlap_days", std::to_string(s.config.renewal_overlap_days));
  util::TemplateData list{util::TemplateData::type::list};
  for (const auto& r : revoked) {
    util::TemplateData item = revocation::mail_item(r.old);
    if (r.successor.picked_up_at)
      item.set("successor_picked_up_at", time_shown(s.messages, *r.successor.picked_up_at));
    list.push_back(item);
  }
  d.set("certificates", list);
  d.set("when", time_shown(s.messages, now));
  d.set("reason", s.messages.get("revocation.reason.superseded"));
  enqueue_mail(s, tx, a->email, "certificates_renewed_revoked", d);
}

}  // namespace

int revoke_renewed_certificates(const Services& s) {
  return s.db.write([&](store::WriteTx& tx) {
    const auto now = s.now_ms();
    const auto cut = now - static_cast<store::Millis>(s.config.renewal_overlap_days) * kDayMs;
    std::map<store::Id, std::vector<Revoked>> by_application;
    int revoked = 0;
    const revocation::Choice superseded{domain::RevocationReason::superseded, std::nullopt};
    for (const auto& c : tx.certificates().renewed_past_overlap(cut, now)) {
      const auto next = successor_of(tx, c);
      if (!next) continue;
      const auto done = revocation::revoke_in(tx, c, superseded, "system", {"why", "renewed"}, now);
      if (!done) continue;
      ++revoked;
      by_application[next->application_id].push_back({*done, *next});
    }
    for (const auto& [application_id, list] : by_application) {
      mail_application(s, tx, application_id, list, now);
    }
    return revoked;
  });
}

}  // namespace onshi::app
