// TOP and マイページ.
#include "app/applications/my_page.hpp"
#include "app/applications/my_certificates.hpp"
#include "app/applications/renewal_applications.hpp"
#include "app/ca/expiry_reminders.hpp"
#include "app/core/dates_shown.hpp"
#include "domain/certificate_application.hpp"
#include "domain/institution_code.hpp"
#include "util/clock.hpp"
#include "web/display.hpp"
#include "web/portal/certificate_pages.hpp"
#include "web/site.hpp"

namespace onshi::web {
namespace {

Response top(Ctx& ctx) {
  if (ctx.user()) return Response::redirect("/mypage");
  return ctx.page(200, "top.html", "医療機関等向けポータルサイト", {});
}

Response mypage(Ctx& ctx) {
  const auto& user = ctx.user();
  const auto p = app::my_page(ctx.services(), user->institution.id);
  util::TemplateData d;
  d.set("institution_name", user->institution.name);
  const auto code = domain::InstitutionCode::parse(user->institution.code);
  d.set("institution_code", code ? code->formatted() : user->institution.code);
  d.set("email", user->account.email);
  util::TemplateData app_list{util::TemplateData::type::list};
  for (const auto& a : p.usage_applications) {
    util::TemplateData row;
    row.set("number", a.number);
    row.set("kind", ctx.message(a.changes_id ? "usage.kind.change" : "usage.kind.first"));
    row.set("status", ctx.message("usage.status_finalized"));
    row.set("submitted_at", app::time_shown(ctx.services().messages, a.finalized_at));
    util::push_back_moved(app_list, std::move(row));
  }
  util::set_moved(d, "applications", std::move(app_list));
  d.set("no_applications", p.usage_applications.empty());
  util::TemplateData cert_apps{util::TemplateData::type::list};
  for (const auto& a : p.certificate_applications) {
    util::TemplateData row;
    row.set("number", a.number);
    row.set("certificates", std::to_string(a.certificates));
    row.set("status",
            ctx.message("certificate_status." + std::string(domain::state_key(a.status))));
    if (auto l = p.letters.find(a.id); l != p.letters.end() && l->second.tracking_number) {
      util::TemplateData mail;
      mail.set("mailed_on",
               japanese_date(ctx.services().messages, l->second.mailed_on.value_or("")));
      mail.set("tracking_number", tracking_number_shown(*l->second.tracking_number));
      row.set("mailed", mail);
    }
    row.set("applied_at", app::time_shown(ctx.services().messages, a.applied_at));
    // A withdrawn or rejected application brings no letter: no arrival date for it.
    row.set("expected_notice_on",
            domain::notice_letter_expected(a.status)
                ? app::date_shown(ctx.services().messages, a.expected_notice_on)
                : std::string("—"));
    row.set("needs_action", domain::awaits_applicant(a.status));
    row.set("renewal", a.kind == store::ApplicationKind::renewal);
    util::push_back_moved(cert_apps, std::move(row));
  }
  util::set_moved(d, "certificate_applications", std::move(cert_apps));
  d.set("no_certificate_applications", p.certificate_applications.empty());
  util::TemplateData cert_list{util::TemplateData::type::list};
  bool any_revocable = false;
  int expiring = 0;
  int expired = 0;
  const auto now = ctx.services().now_ms();
  for (const auto& c : p.certificates) {
    auto row = certificate_row_data(ctx, c);
    const auto state = app::state_today(c, now);
    const bool in_use =
        state == domain::CertificateState::issued || state == domain::CertificateState::active;
    any_revocable = any_revocable || in_use;
    // The days left of what can still expire; a revoked certificate has none.
    const int days = app::days_until_expiry(c.not_after, now);
    if (in_use) {
      row.set("days_left",
              ctx.services().messages.format("reminders.days_left", {std::to_string(days)}));
      row.set("expiring", days <= app::kRenewalWindowDays);
      if (days <= app::kRenewalWindowDays) ++expiring;
    } else if (state == domain::CertificateState::expired) {
      row.set("days_left",
              ctx.services().messages.format("reminders.days_expired", {std::to_string(-days)}));
      row.set("expired", true);
      ++expired;
    } else {
      row.set("days_left", "—");
    }
    util::push_back_moved(cert_list, std::move(row));
  }
  d.set("any_revocable", any_revocable);
  if (expiring > 0 || expired > 0) {
    util::TemplateData banner;
    banner.set("expiring", std::to_string(expiring));
    banner.set("expired", std::to_string(expired));
    banner.set("any_expiring", expiring > 0);
    banner.set("any_expired", expired > 0);
    banner.set("renewal_path", std::string(app::kRenewalPath));
    d.set("expiry", banner);
  }
  d.set("any_renewable", p.any_renewable);
  util::set_moved(d, "certificates", std::move(cert_list));
  d.set("no_certificates", p.certificates.empty());
  return ctx.page(200, "mypage.html", "マイページ", std::move(d));
}

}  // namespace

void add_portal_routes(Routes& routes) {
  routes.push_back(get("/", top, Access::anyone));
  routes.push_back(get("/mypage", mypage, Access::clinic));
  add_revocation_routes(routes);
  add_renewal_routes(routes);
  add_issued_certificate_routes(routes);
  add_billing_page_routes(routes);
}

}  // namespace onshi::web
