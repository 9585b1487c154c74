// One application as the reviewer and the issuer read it: the application, its fee, the usage
// application behind it, the certificates with their 受取, the notice letter and the history.
#include <fmt/format.h>

#include "app/applications/certificate_applications.hpp"
#include "app/applications/mailing_address.hpp"
#include "app/applications/my_certificates.hpp"
#include "app/applications/renewal_applications.hpp"
#include "app/core/dates_shown.hpp"
#include "domain/institution_code.hpp"
#include "util/text.hpp"
#include "web/admin/admin.hpp"
#include "web/display.hpp"
#include "web/forms.hpp"

namespace onshi::web::admin {
namespace {

void set_application(Ctx& ctx, util::TemplateData& d, const store::CertificateApplicationRecord& a,
                     const OperatorNames& names) {
  const auto& s = ctx.services();
  d.set("number", a.number);
  if (a.kind == store::ApplicationKind::renewal) {
    d.set("renewal", true);
    util::TemplateData renews{util::TemplateData::type::list};
    for (const auto& item : app::renewal_items_of(s, a.id)) renews.push_back(item.issuance_number);
    d.set("renews", renews);
    d.set("overlap_days", std::to_string(s.config.renewal_overlap_days));
    // Approved by nobody: review.auto_approve_renewals did it (the audit log says system).
    const bool approved = a.status == domain::CertificateApplicationState::approved ||
                          a.status == domain::CertificateApplicationState::issued ||
                          a.status == domain::CertificateApplicationState::notice_sent;
    if (approved && !a.approved_by) d.set("auto_approved", ctx.message("renewal.auto_approved"));
  }
  d.set("status", std::string(domain::state_key(a.status)));
  d.set("status_label", status_label(ctx, domain::state_key(a.status)));
  d.set("status_note", a.status_note);
  d.set("classification", s.messages.has("classification." + a.classification)
                              ? ctx.message("classification." + a.classification)
                              : a.classification);
  d.set("prefecture", prefecture_label(ctx, a.prefecture));
  const auto* m = s.reference.regions.municipality(a.municipality_code);
  d.set("municipality",
        m ? fmt::format("{} {}", a.municipality_code, m->name) : a.municipality_code);
  // 〒NNN-NNNN, prefecture, municipality and the rest, as the letter will be addressed.
  d.set("mailing_address", app::mailing_address(s, a));
  d.set("addressee_name", s.messages.format("notice_letter.honorific", {a.contact_name}));
  // Applications stored before the form checked the postcode against the 市区町村 may disagree.
  if (auto mismatch = app::postcode_mismatch(s, a)) {
    // The clinic's message asks it to choose again; the reviewer is told what disagrees.
    auto args = mismatch->args;
    args.push_back(m ? m->name : a.municipality_code);
    const bool unknown = mismatch->key == "mailing_address.unknown_postcode";
    d.set("address_warning",
          s.messages.format(unknown ? "mailing_address.review_unknown_postcode"
                                    : "mailing_address.review_wrong_municipality",
                            args));
  }
  const auto code = domain::InstitutionCode::parse(a.institution_code);
  d.set("institution_code", code ? code->formatted() : a.institution_code);
  d.set("institution_name", a.institution_name);
  d.set("department", a.department);
  d.set("contact_name", a.contact_name);
  d.set("phone", a.phone);
  d.set("email", a.email);
  d.set("signature_name", a.signature_name);
  d.set("certificates", std::to_string(a.certificates));
  set_fee(d, a);
  d.set("applied_on", app::date_shown(ctx.services().messages, a.applied_on));
  d.set("applied_at", app::time_shown(ctx.services().messages, a.applied_at));
  d.set("updated_at", app::time_shown(ctx.services().messages, a.updated_at));
  d.set("expected_notice_on", app::date_shown(ctx.services().messages, a.expected_notice_on));
  if (a.approved_by) {
    const auto it = names.find(*a.approved_by);
    d.set("approved_by", it == names.end() ? std::to_string(*a.approved_by) : it->second);
  }
}

util::TemplateData usage_rows(Ctx& ctx, const std::vector<store::UsageApplicationRecord>& usage) {
  util::TemplateData rows{util::TemplateData::type::list};
  for (const auto& u : usage) {
    util::TemplateData r;
    r.set("number", u.number);
    r.set("version", std::to_string(u.version));
    r.set("is_change", u.changes_id.has_value());
    const std::string line_key = "line_type." + u.line_type;
    r.set("line_type", ctx.services().messages.has(line_key) ? ctx.message(line_key) : u.line_type);
    r.set("customer_id", u.customer_id);
    r.set("start_date", u.start_date);
    r.set("terminals", std::to_string(u.terminals));
    r.set("vendor_name", u.vendor_name);
    r.set("vendor_contact", u.vendor_contact);
    r.set("vendor_phone", u.vendor_phone);
    r.set("finalized_at", app::time_shown(ctx.services().messages, u.finalized_at));
    rows.push_back(r);
  }
  return rows;
}

// Where the certificate's 受取 stands, in the clinic's words, with what the desk needs besides:
// the wrong codes counted, the lock, how the pickup closed, and the unlock for who may press it.
void set_pickup(Ctx& ctx, util::TemplateData& r, const store::CertificateRecord& c, int downloads) {
  const auto& m = ctx.services().messages;
  r.set("downloads", std::to_string(downloads));
  if (c.replaced_at) {
    r.set("replaced_at", app::time_shown(m, *c.replaced_at));
    r.set(c.renewed ? "renewed" : "superseded", true);
    return;
  }
  r.set("pickup", app::pickup_label(ctx.services(), app::certificate_row(c, downloads),
                                    ctx.services().now_ms()));
  if (c.pickup_failures > 0) r.set("pickup_failures", std::to_string(c.pickup_failures));
  if (c.pickup_locked_at) {
    r.set("locked_at", app::time_shown(m, *c.pickup_locked_at));
    r.set("can_unlock", app::allowed(actor(ctx).role, app::Permission::letters));
    r.set("unlock_path",
          fmt::format("/admin/certificates/{}/unlock", url_encode(c.issuance_number)));
  }
  if (c.pickup_closed_at) {
    r.set("closed_at", app::time_shown(m, *c.pickup_closed_at));
    if (c.pickup_closed_how) {
      r.set("closed_how", m.format("mypage.pickup_closed." +
                                       std::string(store::pickup_closed_name(*c.pickup_closed_how)),
                                   {std::to_string(ctx.services().config.pickup_redownload_days)}));
    }
  }
}

util::TemplateData certificate_rows(Ctx& ctx, const app::ApplicationDossier& dossier,
                                    const OperatorNames& names) {
  util::TemplateData rows{util::TemplateData::type::list};
  for (const auto& c : dossier.certificates) {
    util::TemplateData r;
    r.set("terminal", c.terminal);
    r.set("issuance_number", c.issuance_number);
    r.set("serial", util::group_serial(c.serial_hex));
    r.set("not_before", app::time_shown(ctx.services().messages, c.not_before));
    r.set("not_after", app::time_shown(ctx.services().messages, c.not_after));
    const std::string state(domain::state_key(c.status));
    const std::string key = "admin.certificate_state." + state;
    r.set("status_label", ctx.services().messages.has(key) ? ctx.message(key) : state);
    r.set("from_csr", c.key_source == store::KeySource::csr);
    r.set("issued_at", app::time_shown(ctx.services().messages, c.issued_at));
    if (c.issued_by)
      r.set("issued_by", actor_label(names, fmt::format("operator:{}", *c.issued_by)));
    if (c.picked_up_at)
      r.set("picked_up_at", app::time_shown(ctx.services().messages, *c.picked_up_at));
    if (c.revoked_at) {
      r.set("revoked_at", app::time_shown(ctx.services().messages, *c.revoked_at));
      r.set("revoked_reason",
            revocation_reason_shown(ctx.services().messages, c.revocation_reason));
    } else if (!c.replaced_at && ctx.services().now_ms() < c.not_after &&
               app::allowed(actor(ctx).role, app::Permission::issue)) {
      r.set("revoke_path",
            fmt::format("/admin/certificates/{}/revoke", url_encode(c.issuance_number)));
    }
    const auto n = dossier.downloads.find(c.id);
    set_pickup(ctx, r, c, n == dossier.downloads.end() ? 0 : n->second);
    rows.push_back(r);
  }
  return rows;
}

util::TemplateData letter_data(Ctx& ctx, const store::NoticeLetterRecord& l,
                               const OperatorNames& names) {
  util::TemplateData d;
  d.set("created_at", app::time_shown(ctx.services().messages, l.created_at));
  if (l.printed_at) d.set("printed_at", app::time_shown(ctx.services().messages, *l.printed_at));
  if (l.tracking_number) d.set("tracking_number", tracking_number_shown(*l.tracking_number));
  if (l.mailed_on) d.set("mailed_on", japanese_date(ctx.services().messages, *l.mailed_on));
  if (l.recorded_by) {
    d.set("recorded_by", actor_label(names, fmt::format("operator:{}", *l.recorded_by)));
  }
  if (l.recorded_at) d.set("recorded_at", app::time_shown(ctx.services().messages, *l.recorded_at));
  if (l.reprinted_at)
    d.set("reprinted_at", app::time_shown(ctx.services().messages, *l.reprinted_at));
  d.set("resend_due", l.resend_due);
  return d;
}

}  // namespace

void set_dossier(Ctx& ctx, util::TemplateData& d, const app::ApplicationDossier& dossier) {
  const auto names = operator_names(ctx);
  set_application(ctx, d, dossier.application, names);
  d.set("usage", usage_rows(ctx, dossier.usage));
  d.set("no_usage", dossier.usage.empty());
  d.set("issued_certificates", certificate_rows(ctx, dossier, names));
  d.set("no_certificates", dossier.certificates.empty());
  if (dossier.letter) d.set("letter", letter_data(ctx, *dossier.letter, names));
  util::TemplateData history{util::TemplateData::type::list};
  for (const auto& e : dossier.history) {
    util::TemplateData r;
    r.set("seq", std::to_string(e.seq));
    r.set("at", app::time_shown(ctx.services().messages, e.at));
    r.set("actor", actor_label(names, e.actor));
    r.set("action", e.action);
    r.set("detail", e.detail);
    history.push_back(r);
  }
  d.set("history", history);
  d.set("no_history", dossier.history.empty());
}

}  // namespace onshi::web::admin
