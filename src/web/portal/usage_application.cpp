// オンライン資格確認利用開始・変更申請: explanation → form → 内容を確認する → 上記の内容で確定する
// → 完了.
#include "app/applications/usage_applications.hpp"
#include "app/core/dates_shown.hpp"
#include "domain/calendar_date.hpp"
#include "domain/institution_code.hpp"
#include "domain/network_line.hpp"
#include "util/clock.hpp"
#include "web/errors.hpp"
#include "web/site.hpp"

namespace onshi::web {
namespace {

constexpr std::string_view kTitle = "オンライン資格確認利用開始・変更申請";

app::UsageForm form_from_post(const Form& f) {
  return {f.get("line_type"),    f.get("customer_id"), f.get("start_date"),
          f.get("terminals"),    f.get("vendor_name"), f.get("vendor_contact"),
          f.get("vendor_phone"), f.get("changes"),     f.get("idempotency_key")};
}

void set_institution(Ctx& ctx, util::TemplateData& d) {
  const auto& user = *ctx.user();
  d.set("institution_name", user.institution.name);
  const auto code = domain::InstitutionCode::parse(user.institution.code);
  d.set("institution_code", code ? code->formatted() : user.institution.code);
  d.set("email", user.account.email);
}

util::TemplateData form_data(Ctx& ctx, const app::UsageForm& f) {
  util::TemplateData d;
  set_institution(ctx, d);
  util::TemplateData lines{util::TemplateData::type::list};
  for (const auto line : domain::all_network_lines()) {
    util::TemplateData option;
    const std::string key(domain::line_key(line));
    option.set("value", key);
    option.set("label", ctx.message("line_type." + key));
    option.set("selected", key == f.line_type);
    lines.push_back(option);
  }
  d.set("lines", lines);
  d.set("customer_id", f.customer_id);
  // <input type="date"> shows only YYYY-MM-DD; "2026/12/1" typed elsewhere is shown in that form.
  const auto date = domain::parse_date(f.start_date);
  d.set("start_date", date ? domain::format_date(*date) : f.start_date);
  d.set("terminals", f.terminals);
  d.set("vendor_name", f.vendor_name);
  d.set("vendor_contact", f.vendor_contact);
  d.set("vendor_phone", f.vendor_phone);
  d.set("changes", f.changes);
  d.set("is_change", !f.changes.empty());
  d.set("idempotency_key", f.idempotency_key);
  return d;
}

// The values of a finalized or checked application, as the confirmation and detail pages show them.
void set_values(Ctx& ctx, util::TemplateData& d, const std::string& line_type,
                const std::string& customer_id, const std::string& start_date, int terminals,
                const std::string& vendor_name, const std::string& vendor_contact,
                const std::string& vendor_phone) {
  d.set("line_type_label", ctx.message("line_type." + line_type));
  d.set("customer_id_shown",
        customer_id.empty() ? ctx.message("usage.no_customer_id") : customer_id);
  d.set("start_date_shown", app::date_shown(ctx.services().messages, start_date));
  d.set("terminals_shown", std::to_string(terminals));
  d.set("vendor_name_shown", vendor_name);
  d.set("vendor_contact_shown", vendor_contact);
  d.set("vendor_phone_shown", vendor_phone);
}

Response intro(Ctx& ctx) {
  util::TemplateData d;
  set_institution(ctx, d);
  d.set("has_finalized", !app::usage_history(ctx.services(), ctx.user()->institution.id).empty());
  return ctx.page(200, "usage_intro.html", std::string(kTitle), d);
}

Response form_page(Ctx& ctx) {
  const auto f = app::usage_form_for(ctx.services(), ctx.user()->institution.id);
  return ctx.page(200, "usage_form.html", std::string(kTitle), form_data(ctx, f));
}

Response form_again(Ctx& ctx, int status, const app::UsageForm& f, const app::FieldErrors& errors) {
  auto d = form_data(ctx, f);
  ctx.add_errors(d, errors);
  return ctx.page(status, "usage_form.html", std::string(kTitle), d);
}

Response confirm_page(Ctx& ctx) {
  const auto f = form_from_post(ctx.form());
  auto checked = app::check_usage_form(ctx.services(), f);
  if (!checked) return form_again(ctx, 422, f, checked.error());
  util::TemplateData d;
  set_institution(ctx, d);
  set_values(ctx, d, checked->line_type, checked->customer_id, checked->start_date,
             checked->terminals, checked->vendor_name, checked->vendor_contact,
             checked->vendor_phone);
  // The confirmation page posts the values as typed, so 戻る shows exactly what was entered.
  for (const auto* name : {"line_type", "customer_id", "start_date", "terminals", "vendor_name",
                           "vendor_contact", "vendor_phone", "changes", "idempotency_key"}) {
    d.set(std::string("posted_") + name, ctx.form().get(name));
  }
  d.set("is_change", !f.changes.empty());
  return ctx.page(200, "usage_confirm.html", std::string(kTitle), d);
}

Response edit_again(Ctx& ctx) {
  return form_again(ctx, 200, form_from_post(ctx.form()), {});
}

Response finalize(Ctx& ctx) {
  const auto f = form_from_post(ctx.form());
  auto result = app::finalize_usage_application(ctx.services(), *ctx.user(), f);
  if (!result) {
    if (result.error().is(app::FailureCode::invalid))
      return form_again(ctx, 422, f, result.error().fields);
    return failure_page(ctx, result.error(), "usage_refused.html", std::string(kTitle));
  }
  // Post/Redirect/Get: reloading the completion page does not post again.
  return Response::redirect("/usage-application/complete?number=" +
                            url_encode(result->application.number));
}

Response complete(Ctx& ctx) {
  const auto query = Form::parse(ctx.request().query);
  const auto number = query ? query->get("number") : std::string();
  auto application =
      app::find_usage_application(ctx.services(), ctx.user()->institution.id, number);
  if (!application)
    return ctx.page(404, "usage_refused.html", std::string(kTitle), [&] {
      util::TemplateData d;
      d.set("message", ctx.message("usage.not_found"));
      return d;
    }());
  util::TemplateData d;
  set_institution(ctx, d);
  d.set("number", application->number);
  d.set("kind", ctx.message(application->changes_id ? "usage.kind.change" : "usage.kind.first"));
  d.set("mail_to", ctx.user()->account.email);
  return ctx.page(200, "usage_complete.html", std::string(kTitle), d);
}

Response detail(Ctx& ctx) {
  const std::string& number = ctx.param("number");
  const auto history = app::usage_history(ctx.services(), ctx.user()->institution.id);
  const auto it = std::find_if(history.begin(), history.end(),
                               [&](const auto& a) { return a.number == number; });
  if (it == history.end()) {
    util::TemplateData d;
    d.set("message", ctx.message("usage.not_found"));
    return ctx.page(404, "usage_refused.html", std::string(kTitle), d);
  }
  util::TemplateData d;
  set_institution(ctx, d);
  d.set("number", it->number);
  d.set("kind", ctx.message(it->changes_id ? "usage.kind.change" : "usage.kind.first"));
  d.set("version", std::to_string(it->version));
  d.set("finalized_at", app::time_shown(ctx.services().messages, it->finalized_at));
  d.set("is_latest", it == history.begin());
  set_values(ctx, d, it->line_type, it->customer_id, it->start_date, it->terminals, it->vendor_name,
             it->vendor_contact, it->vendor_phone);
  util::TemplateData versions{util::TemplateData::type::list};
  for (const auto& a : history) {
    util::TemplateData row;
    row.set("number", a.number);
    row.set("version", std::to_string(a.version));
    row.set("kind", ctx.message(a.changes_id ? "usage.kind.change" : "usage.kind.first"));
    row.set("finalized_at", app::time_shown(ctx.services().messages, a.finalized_at));
    row.set("current", a.number == it->number);
    versions.push_back(row);
  }
  d.set("versions", versions);
  return ctx.page(200, "usage_detail.html", std::string(kTitle), d);
}

}  // namespace

void add_usage_routes(Routes& routes) {
  routes.push_back(get("/usage-application", intro, Access::clinic));
  routes.push_back(get("/usage-application/form", form_page, Access::clinic));
  routes.push_back(post("/usage-application/confirm", confirm_page, Access::clinic, Body::form));
  routes.push_back(post("/usage-application/edit", edit_again, Access::clinic, Body::form));
  routes.push_back(post("/usage-application/finalize", finalize, Access::clinic, Body::form));
  routes.push_back(get("/usage-application/complete", complete, Access::clinic));
  // Whatever follows is looked up: anything but this institution's number is its 404 page.
  routes.push_back(get("/usage-applications/{number...}", detail, Access::clinic));
}

}  // namespace onshi::web
