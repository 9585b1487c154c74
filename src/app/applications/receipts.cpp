#include "app/applications/receipts.hpp"
#include "app/core/dates_shown.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

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
  const bool renewal = a.kind == store::ApplicationKind::renewal;
  r.subtitle = m.get(renewal ? "receipt.subtitle_renewal" : "receipt.subtitle");
  r.issued_by = m.get("receipt.issued_by");
  r.lines = {
      {m.get("receipt.number"), a.number},
      {m.get("receipt.applied_at"), time_shown(m, a.applied_at)},
  };
  if (renewal) r.lines.push_back({m.get("receipt.kind"), m.get("receipt.kind_renewal")});
  r.lines.insert(r.lines.end(),
                 {
                     {m.get("receipt.classification"), m.get("classification." + a.classification)},
                     {m.get("receipt.region"),
                      fmt::format("{:02d} {} {}", a.prefecture, prefecture ? prefecture->name : "",
                                  municipality ? municipality->name : a.municipality_code)},
                 });
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
          {m.get(renewal ? "receipt.certificates_renewal" : "receipt.certificates"),
           fmt::format(fmt::runtime(m.get("receipt.count")), a.certificates)},
          {m.get("receipt.fee_per_certificate"), yen(a.fee_per_certificate)},
          {m.get("receipt.subtotal"), yen(a.subtotal_yen)},
          {fmt::format(fmt::runtime(m.get("receipt.tax")), a.tax_rate_percent), yen(a.tax_yen)},
          {m.get("receipt.total"), yen(a.total_yen)},
          {m.get("payment_method.label"),
           m.get("payment_method." + std::string(store::payment_method_name(a.payment_method)))},
          {m.get("receipt.expected_notice_on"), date_shown(m, a.expected_notice_on)},
      });
  // Which certificates a renewal renews, by terminal, after the count it is the list of.
  if (renewal) {
    std::vector<std::string> items;
    s.db.read([&](store::ReadTx& tx) {
      for (const auto& item : tx.certificate_applications().renewal_items(a.id)) {
        const auto c = tx.certificates().find_current_certificate(item.issuance_number);
        items.push_back(
            m.format("receipt.renewed_item", {c ? c->terminal : "-", item.issuance_number}));
      }
    });
    const auto count = std::ranges::find(r.lines, m.get("receipt.certificates_renewal"),
                                         &letters::ReceiptLine::label);
    r.lines.insert(count == r.lines.end() ? count : count + 1,
                   {m.get("receipt.renews"), fmt::format("{}", fmt::join(items, "、"))});
  }
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
