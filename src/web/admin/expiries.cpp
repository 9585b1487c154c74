// 有効期限の見通し: how many certificates in use expire in each of the next 12 months, by
// prefecture, so that the desk plans for the rushes of renewals (app/office/expiry_plan.hpp). Any
// operator may read it: counts only, no institution named.
#include <fmt/format.h>

#include "app/ca/expiry_reminders.hpp"
#include "app/office/expiry_plan.hpp"
#include "web/admin/admin.hpp"

namespace onshi::web::admin {
namespace {

constexpr int kMonths = 12;

Response expiries(Ctx& ctx) {
  const auto plan = app::expiry_plan(ctx.services(), kMonths);
  util::TemplateData months{util::TemplateData::type::list};
  std::int64_t total = 0;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const auto& m = plan[i];
    util::TemplateData row;
    row.set("month", fmt::format("{}年{}月", static_cast<int>(m.month.year()),
                                 static_cast<unsigned>(m.month.month())));
    row.set("first", i == 0);
    row.set("total", std::to_string(m.total));
    util::TemplateData prefectures{util::TemplateData::type::list};
    for (const auto& c : m.by_prefecture) {
      util::TemplateData p;
      p.set("prefecture", prefecture_label(ctx, c.prefecture));
      p.set("count", std::to_string(c.certificates));
      prefectures.push_back(p);
    }
    row.set("prefectures", prefectures);
    row.set("none", m.by_prefecture.empty());
    months.push_back(row);
    total += m.total;
  }
  util::TemplateData d;
  d.set("months", months);
  d.set("total", std::to_string(total));
  d.set("month_count", std::to_string(kMonths));
  d.set("renewal_days", std::to_string(app::kRenewalWindowDays));
  return ctx.admin_page(200, "admin/expiries.html", "有効期限の見通し", d);
}

}  // namespace

void add_expiry_routes(Routes& routes) {
  routes.push_back(get("/admin/expiries", expiries, Access::staff));
}

}  // namespace onshi::web::admin
