#include "app/ca/pickup_mail.hpp"

#include "app/core/dates_shown.hpp"
#include "app/core/outbox.hpp"
#include "util/text.hpp"

namespace onshi::app {

void record_download(const Services& s, store::WriteTx& tx, const store::CertificateRecord& c,
                     const store::CertificateApplicationRecord& application, std::string_view what,
                     std::string_view client_address, store::Millis now) {
  auto& certs = tx.certificates();
  const bool first = !c.picked_up_at && certs.mark_picked_up(c.id, now);
  certs.insert_download({0, c.id, now, std::string(client_address), std::string(what)});
  tx.audit().append_audit({"pickup", "certificate.download", c.issuance_number,
                           audit_detail({{"serial", c.serial_hex},
                                         {"what", what},
                                         {"address", client_address},
                                         {"first", first ? "true" : "false"}})},
                          now);
  const auto& m = s.messages;
  util::TemplateData d;
  d.set("institution_name", application.institution_name);
  d.set("contact_name", application.contact_name);
  d.set("issuance_number", c.issuance_number);
  d.set("terminal", c.terminal);
  d.set("serial", util::group_serial(c.serial_hex));
  d.set("when", time_shown(m, now));
  d.set("address", std::string(client_address));
  d.set("what", m.get("pickup.what." + std::string(what)));
  const auto days = s.config.pickup_redownload_days;
  d.set("redownload_days", std::to_string(days));
  enqueue_mail(s, tx, application.email, "certificate_downloaded", d);
}

Result<> record_download_if_open(const Services& s, const store::CertificateRecord& c,
                                 std::string_view what, std::string_view client_address) {
  return s.db.write([&](store::WriteTx& tx) -> Result<> {
    const auto now = s.now_ms();
    const auto current = tx.certificates().find_current_certificate(c.issuance_number);
    if (!current || current->serial_hex != c.serial_hex || current->pickup_closed_at ||
        current->revoked_at || current->pickup_locked_at) {
      return std::unexpected(Failure::of(FailureCode::conflict, "pickup.closed"));
    }
    const auto a =
        tx.certificate_applications().find_certificate_application_by_id(current->application_id);
    if (!a) throw std::logic_error("pickup: a certificate without its application");
    record_download(s, tx, *current, *a, what, client_address, now);
    return {};
  });
}

}  // namespace onshi::app
