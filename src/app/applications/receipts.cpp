#include "app/applications/receipts.hpp"
#include "app/core/dates_shown.hpp"

#include <fmt/format.h>

#include "app/applications/certificate_applications.hpp"
#include "domain/institution_code.hpp"
#include "letters/receipt.hpp"
#include "util/clock.hpp"
#include "util/text.hpp"

namespace onshi::app {

std::string certificate_receipt_pdf(const Services& s,
                                    const store::CertificateApplicationRecord& a) {
  const auto& m = s.messages;
  const auto yen = [&](std::int64_t v) {
    return fmt::format(fmt::runtime(m.get("receipt.yen")), util::group_thousands(v));
  };
  const auto* prefecture = s.reference.regions.prefecture(a.prefecture);
  const auto* municipality = s.reference.regions.municipality(a.municipality_code);
  const auto code = domain::InstitutionCode::parse(a.institution_code);

  letters::Receipt r;
  r.title = m.get("receipt.title");
  r.subtitle = m.get("receipt.subtitle");
  r.issued_by = m.get("receipt.issued_by");
  r.lines = {
      {m.get("receipt.number"), a.number},
      {m.get("receipt.applied_at"), time_shown(m, a.applied_at)},
      {m.get("receipt.classification"), m.get("classification." + a.classification)},
      {m.get("receipt.region"),
       fmt::format("{:02d} {} {}", a.prefecture, prefecture ? prefecture->name : "",
                   municipality ? municipality->name : a.municipality_code)},
  };
  // 送付先 of the notice letter; applications saved before the form asked for it have none.
  if (auto address = mailing_address(s, a); !address.empty()) {
    r.lines.push_back({m.get("receipt.mailing_address"), std::move(address)});
  }
  r.lines.insert(
      r.lines.end(),
      {
          {m.get("receipt.institution_code"), code ? code->formatted() : a.institution_code},
          {m.get("receipt.institution_name"), a.institution_name},
          {m.get("receipt.contact"), fmt::format("{} / {}", a.department, a.contact_name)},
          {m.get("receipt.phone"), a.phone},
          {m.get("receipt.email"), a.email},
          {m.get("receipt.signature_name"), a.signature_name},
          {m.get("receipt.certificates"),
           fmt::format(fmt::runtime(m.get("receipt.count")), a.certificates)},
          {m.get("receipt.fee_per_certificate"), yen(a.fee_per_certificate)},
          {m.get("receipt.subtotal"), yen(a.subtotal_yen)},
          {fmt::format(fmt::runtime(m.get("receipt.tax")), a.tax_rate_percent), yen(a.tax_yen)},
          {m.get("receipt.total"), yen(a.total_yen)},
          {m.get("payment_method.label"),
           m.get("payment_method." + std::string(store::payment_method_name(a.payment_method)))},
          {m.get("receipt.expected_notice_on"), date_shown(m, a.expected_notice_on)},
      });
  r.notes = {
      m.get("receipt.note_mail"),
      fmt::format(fmt::runtime(m.get("receipt.note_domain")), s.config.mail_domain()),
      m.get("receipt.note_one_per_terminal"),
      fmt::format(fmt::runtime(m.get("receipt.note_contact")), s.config.contact.name,
                  s.config.contact.phone, s.config.contact.hours, s.config.contact.email),
  };
  r.footer = fmt::format(fmt::runtime(m.get("receipt.footer")), s.config.base_url);
  return letters::render_receipt_pdf(r);
}

}  // namespace onshi::app
