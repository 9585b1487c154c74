// What the certificate application form and the renewal form share (certificate_pages.hpp): the
// 市区町村 choices of a prefecture with the fixed text in front of 所在地, the お支払方法 choices,
// and the facts their confirmation pages list.
#include <fmt/format.h>

#include "app/applications/certificate_applications.hpp"
#include "app/applications/mailing_address.hpp"
#include "app/core/dates_shown.hpp"
#include "domain/institution_code.hpp"
#include "util/text.hpp"
#include "web/portal/certificate_pages.hpp"

namespace onshi::web {

void set_address_choices(Ctx& ctx, util::TemplateData& d, int prefecture,
                         const std::string& municipality) {
  const auto& regions = ctx.services().reference.regions;
  util::TemplateData municipalities{util::TemplateData::type::list};
  const auto* p = regions.prefecture(prefecture);
  if (p) {
    for (const auto& m : regions.municipalities_in(prefecture)) {
      util::TemplateData o;
      o.set("value", m.code);
      o.set("label", m.name);
      o.set("selected", m.code == municipality);
      municipalities.push_back(o);
    }
  }
  d.set("municipalities", municipalities);
  d.set("address_filled_message", ctx.services().messages.get("mailing_address.filled"));
  if (!p) return;
  d.set("address_prefecture", p->name);
  if (const auto* m = regions.municipality(municipality); m && m->prefecture == prefecture) {
    d.set("address_municipality", m->name);
  }
}

// The deduction unless the clinic chose the transfer (or typed something else, which the form
// shows again as no choice so that the message beside it is seen).
void set_payment_method_choices(Ctx& ctx, util::TemplateData& d, const std::string& chosen) {
  util::TemplateData methods{util::TemplateData::type::list};
  for (const auto m : {store::PaymentMethod::deduction, store::PaymentMethod::transfer}) {
    const std::string name(store::payment_method_name(m));
    util::TemplateData o;
    o.set("value", name);
    o.set("label", ctx.message("payment_method." + name));
    o.set("checked", name == chosen || (chosen.empty() && m == store::PaymentMethod::deduction));
    methods.push_back(o);
  }
  d.set("payment_methods", methods);
}

void set_application_facts(Ctx& ctx, util::TemplateData& d, const app::CheckedCertificateForm& c) {
  const auto& s = ctx.services();
  const auto* p = s.reference.regions.prefecture(c.prefecture);
  d.set("classification_label", ctx.message("classification." + c.classification));
  d.set("prefecture_label", fmt::format("{:02d} {}", c.prefecture, p ? p->name : ""));
  d.set("municipality_label", c.municipality_name);
  d.set("mailing_address",
        app::mailing_address(s, c.prefecture, c.municipality_code, c.postal_code, c.address_line));
  d.set("addressee_name", s.messages.format("notice_letter.honorific", {c.contact_name}));
  const auto code = domain::InstitutionCode::parse(c.institution_code);
  d.set("institution_code_shown", code ? code->formatted() : c.institution_code);
  d.set("institution_name_shown", c.institution_name);
  d.set("department_shown", c.department);
  d.set("contact_name_shown", c.contact_name);
  d.set("phone_shown", c.phone);
  d.set("email_shown", c.email);
  d.set("signature_name_shown", c.signature_name);
  d.set("certificates_shown", std::to_string(c.certificates));
  d.set("payment_method_shown",
        ctx.message("payment_method." + std::string(store::payment_method_name(c.payment_method))));
  d.set("payment_by_transfer", c.payment_method == store::PaymentMethod::transfer);
  d.set("fee_per_certificate_shown", util::group_thousands(c.fee.fee_per_certificate_yen));
  d.set("tax_rate_percent", std::to_string(c.fee.tax_rate_percent));
  d.set("subtotal_shown", util::group_thousands(c.fee.subtotal_yen));
  d.set("tax_shown", util::group_thousands(c.fee.tax_yen));
  d.set("total_shown", util::group_thousands(c.fee.total_yen));
  d.set("expected_notice_on", app::date_shown(s.messages, c.expected_notice_on));
}

}  // namespace onshi::web
