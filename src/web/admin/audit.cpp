// 監査ログ: the append-only log, newest first with a filter, and whether its hash chain holds.
#include <fmt/format.h>

#include "app/core/audit.hpp"
#include "app/core/dates_shown.hpp"
#include "domain/calendar_date.hpp"
#include "web/admin/admin.hpp"
#include "web/display.hpp"

namespace onshi::web::admin {
namespace {

constexpr int kPageSize = 100;

// The first millisecond of a date in Japan, or nothing when `typed` is no date.
std::optional<store::Millis> jst_day_start(std::string_view typed, int days_after = 0) {
  const auto d = domain::parse_date(typed);
  if (!d) return std::nullopt;
  const auto start =
      std::chrono::sys_days{*d} + std::chrono::days{days_after} - std::chrono::hours{9};
  return std::chrono::duration_cast<std::chrono::milliseconds>(start.time_since_epoch()).count();
}

Response audit(Ctx& ctx) {
  const Form q = query(ctx);
  store::AuditFilter f;
  f.actor = q.get("actor");
  f.action_prefix = q.get("action");
  f.subject = q.get("subject");
  if (auto from = jst_day_start(q.get("from"))) f.from = *from;
  // Inclusive: the whole of the last day.
  if (auto to = jst_day_start(q.get("to"), 1)) f.to = *to - 1;
  try {
    f.before_seq = q.get("before").empty() ? 0 : std::stoll(q.get("before"));
  } catch (const std::exception&) {
    f.before_seq = 0;
  }
  // One more than a page tells whether older entries exist.
  f.limit = kPageSize + 1;
  auto entries = app::audit_log(ctx.services(), f);
  const bool more = entries.size() > static_cast<std::size_t>(kPageSize);
  if (more) entries.resize(kPageSize);

  util::TemplateData d;
  for (const auto* name : {"actor", "action", "subject", "from", "to"}) d.set(name, q.get(name));
  const auto names = operator_names(ctx);
  util::TemplateData rows{util::TemplateData::type::list};
  for (const auto& e : entries) {
    util::TemplateData r;
    r.set("seq", std::to_string(e.seq));
    r.set("at", app::time_shown(ctx.services().messages, e.at));
    r.set("actor", actor_label(names, e.actor));
    r.set("action", e.action);
    r.set("subject", e.subject);
    r.set("subject_is_application", e.subject.starts_with("C-"));
    r.set("detail", e.detail);
    rows.push_back(r);
  }
  d.set("rows", rows);
  d.set("empty", entries.empty());
  if (more) {
    d.set("older_href",
          fmt::format("/admin/audit?actor={}&action={}&subject={}&from={}&to={}&before={}",
                      url_encode(f.actor), url_encode(f.action_prefix), url_encode(f.subject),
                      url_encode(q.get("from")), url_encode(q.get("to")), entries.back().seq));
  }

  // The whole chain on every view: cheap at the back office's volume, and a break shows at once.
  const auto v = app::verify_audit_log(ctx.services());
  util::TemplateData check;
  check.set("ok", v.ok);
  check.set("entries", std::to_string(v.entries));
  check.set("head_hash", v.head_hash);
  if (v.head) check.set("checkpoint", v.head->text());
  check.set("first_bad_seq", std::to_string(v.first_bad_seq));
  if (!v.problem_key.empty()) {
    check.set("problem",
              fmt::format(fmt::runtime(ctx.message(v.problem_key)), v.first_bad_seq, v.other_seq));
  }
  d.set("verification", check);
  return ctx.admin_page(200, "admin/audit.html", "監査ログ", d);
}

}  // namespace

void add_audit_routes(Routes& routes) {
  routes.push_back(get("/admin/audit", audit, Access::staff).needs(app::Permission::read_audit));
}

}  // namespace onshi::web::admin
