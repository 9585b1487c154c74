// The dashboard of due dates and the review queue (審査一覧) with its filter.
#include <fmt/format.h>

#include "app/core/dates_shown.hpp"
#include "app/office/review.hpp"
#include "domain/certificate_application.hpp"
#include "domain/institution_code.hpp"
#include "web/admin/admin.hpp"

namespace onshi::web::admin {
namespace {

using State = domain::CertificateApplicationState;

std::string code_shown(const std::string& code) {
  const auto parsed = domain::InstitutionCode::parse(code);
  return parsed ? parsed->formatted() : code;
}

util::TemplateData application_row(Ctx& ctx, const store::CertificateApplicationRecord& a) {
  util::TemplateData row;
  row.set("number", a.number);
  row.set("institution_name", a.institution_name);
  row.set("institution_code", code_shown(a.institution_code));
  row.set("prefecture", prefecture_label(ctx, a.prefecture));
  row.set("applied_on", app::date_shown(ctx.services().messages, a.applied_on));
  row.set("expected_notice_on", app::date_shown(ctx.services().messages, a.expected_notice_on));
  row.set("status", std::string(domain::state_key(a.status)));
  row.set("status_label", status_label(ctx, domain::state_key(a.status)));
  row.set("renewal", a.kind == store::ApplicationKind::renewal);
  row.set("kind_label",
          ctx.message(a.kind == store::ApplicationKind::renewal ? "renewal.kind_label"
                                                                : "renewal.kind_label_new"));
  return row;
}

// A row with the office's dates: 発送期限, 残り営業日, 次の作業, the overdue mark, and 発行済 told
// apart by its letter (未印刷 / 書留未記録).
util::TemplateData work_row(Ctx& ctx, const app::DashboardRow& r) {
  auto row = application_row(ctx, r.application);
  row.set("ship_by", app::date_shown(ctx.services().messages, r.ship_by));
  row.set("overdue", r.overdue);
  row.set("business_days_left", std::to_string(r.business_days_left));
  row.set("next_step", ctx.message(fmt::format("admin_next_step.{}", app::next_step_key(r.next))));
  if (r.application.status == State::issued) {
    row.set("status_label",
            status_label(ctx, r.letter_printed ? "issued_unmailed" : "issued_unprinted"));
  }
  return row;
}

Response dashboard(Ctx& ctx) {
  util::TemplateData rows{util::TemplateData::type::list};
  int overdue = 0;
  const auto due = app::dashboard(ctx.services());
  for (const auto& r : due) {
    if (r.overdue) ++overdue;
    rows.push_back(work_row(ctx, r));
  }
  util::TemplateData d;
  d.set("rows", rows);
  d.set("postal_days", std::to_string(app::kPostalBusinessDays));
  d.set("count", std::to_string(due.size()));
  d.set("overdue_count", std::to_string(overdue));
  d.set("has_overdue", overdue > 0);
  d.set("empty", due.empty());
  return ctx.admin_page(200, "admin/dashboard.html", "ダッシュボード", d);
}

// Every state an application can be in, in the order it passes through them.
constexpr State kStates[] = {State::applied,  State::under_review, State::returned,
                             State::approved, State::issued,       State::notice_sent,
                             State::rejected, State::cancelled};

Response queue(Ctx& ctx) {
  const Form q = query(ctx);
  app::QueueFilter f;
  f.status = q.get("status");
  try {
    f.prefecture = q.get("prefecture").empty() ? 0 : std::stoi(q.get("prefecture"));
  } catch (const std::exception&) {
    f.prefecture = 0;
  }
  f.applied_from = q.get("applied_from");
  f.applied_to = q.get("applied_to");

  util::TemplateData d;
  util::TemplateData statuses{util::TemplateData::type::list};
  const auto add_status = [&](const std::string& key) {
    util::TemplateData o;
    o.set("value", key);
    o.set("label", status_label(ctx, key));
    o.set("selected", key == f.status);
    statuses.push_back(o);
  };
  for (const auto st : kStates) {
    const std::string key(domain::state_key(st));
    add_status(key);
    // 発行済 has two stages the office tells apart.
    if (st == State::issued) {
      add_status("issued_unprinted");
      add_status("issued_unmailed");
    }
  }
  d.set("statuses", statuses);
  util::TemplateData prefectures{util::TemplateData::type::list};
  for (const auto& p : ctx.services().reference.regions.prefectures()) {
    util::TemplateData o;
    o.set("value", std::to_string(p.code));
    o.set("label", fmt::format("{:02d} {}", p.code, p.name));
    o.set("selected", p.code == f.prefecture);
    prefectures.push_back(o);
  }
  d.set("prefectures", prefectures);
  d.set("applied_from", f.applied_from);
  d.set("applied_to", f.applied_to);

  util::TemplateData rows{util::TemplateData::type::list};
  const auto found = app::review_queue_rows(ctx.services(), f);
  int overdue = 0;
  for (const auto& r : found) {
    if (r.overdue) ++overdue;
    rows.push_back(work_row(ctx, r));
  }
  d.set("rows", rows);
  d.set("overdue_count", std::to_string(overdue));
  d.set("has_overdue", overdue > 0);
  d.set("count", std::to_string(found.size()));
  d.set("empty", found.empty());
  return ctx.admin_page(200, "admin/applications.html", "審査一覧", d);
}

}  // namespace

void add_queue_routes(Routes& routes) {
  routes.push_back(get("/admin", dashboard, Access::staff));
  routes.push_back(get("/admin/applications", queue, Access::staff));
}

}  // namespace onshi::web::admin
