// 通知書・書留: printing the notice letters not yet printed (each pickup code is printed once) and
// recording the registered mail (書留) that carries them.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>

#include "app/applications/certificate_applications.hpp"
#include "app/ca/issuance.hpp"
#include "app/core/form_values.hpp"
#include "app/office/notice_letters.hpp"
#include "domain/calendar_date.hpp"
#include "web/admin/admin.hpp"
#include "web/display.hpp"
#include "web/errors.hpp"

namespace onshi::web::admin {
namespace {

constexpr std::string_view kPath = "/admin/letters";
constexpr std::string_view kTitle = "通知書・書留";

// A registered-mail form that was refused: its row shows the message and the typed values.
struct MailRefusal {
  std::string number;
  app::Failure failure;
};

Response render(Ctx& ctx, int status, const std::optional<MailRefusal>& refused,
                const std::string& print_error = {}) {
  const auto& s = ctx.services();
  const auto q = app::letter_queue(s);
  util::TemplateData d;
  util::TemplateData numbers{util::TemplateData::type::list};
  for (const auto& n : q.to_print) {
    util::TemplateData r;
    r.set("number", n);
    numbers.push_back(r);
  }
  d.set("to_print", numbers);
  d.set("print_count", std::to_string(q.to_print.size()));
  d.set("nothing_to_print", q.to_print.empty());
  if (!print_error.empty()) d.set("print_error", print_error);

  const std::string today = domain::format_date(app::today_in_japan(s));
  util::TemplateData rows{util::TemplateData::type::list};
  for (const auto& a : q.to_mail) {
    util::TemplateData r;
    r.set("number", a.number);
    r.set("institution_name", a.institution_name);
    r.set("mailing_address", app::mailing_address(s, a));
    r.set("printed_at", jst_time(*q.letters.at(a.id).printed_at));
    r.set("expected_notice_on", a.expected_notice_on);
    r.set("mailed_on", today);
    if (refused && refused->number == a.number) {
      r.set("tracking_number", ctx.form().get("tracking_number"));
      r.set("mailed_on", ctx.form().get("mailed_on"));
      const auto& key = refused->failure.key;
      const auto& message = ctx.message(key);
      const char* field =
          key == app::review_error_key(app::ReviewError::tracking_number) ||
                  key == app::review_error_key(app::ReviewError::tracking_number_used)
              ? "tracking_error"
          : key == app::review_error_key(app::ReviewError::mailed_on) ? "mailed_on_error"
                                                                      : "row_error";
      r.set(field, message);
    }
    rows.push_back(r);
  }
  d.set("to_mail", rows);
  d.set("nothing_to_mail", q.to_mail.empty());
  // A refusal about an application no longer in the list (someone else recorded it meanwhile).
  if (refused &&
      std::ranges::none_of(q.to_mail, [&](const auto& a) { return a.number == refused->number; })) {
    d.set("mail_error", fmt::format("{}: {}", refused->number, ctx.message(refused->failure.key)));
  }

  const Form query_form = query(ctx);
  const auto& done = query_form.get("done");
  d.set("done_nothing", done == "nothing");
  if (done == "mail") d.set("done_mail", query_form.get("number"));
  return ctx.admin_page(status, "admin/letters.html", std::string(kTitle), d);
}

Response show(Ctx& ctx) {
  return render(ctx, 200, std::nullopt);
}

Response print(Ctx& ctx) {
  const auto& s = ctx.services();
  auto batch = app::print_notice_letters(s, actor(ctx));
  if (!batch) {
    return render(ctx, http_status(batch.error().code), std::nullopt,
                  ctx.message(batch.error().key));
  }
  if (batch->pdf.empty()) return Response::redirect(std::string(kPath) + "?done=nothing");
  // Named by the minute in Japan, so each batch keeps its own file in the download folder.
  const auto jst = std::chrono::floor<std::chrono::minutes>(s.clock.now() + std::chrono::hours{9});
  Response r = Response::text(200, "application/pdf", std::move(batch->pdf));
  r.header("Content-Disposition",
           fmt::format("attachment; filename=\"notice-letters-{:%Y%m%d-%H%M}.pdf\"", jst));
  r.header("Cache-Control", "no-store");
  return r;
}

Response record_mail(Ctx& ctx) {
  const auto& f = ctx.form();
  const std::string number = f.get("number");
  auto result = app::record_registered_mail(ctx.services(), actor(ctx), number,
                                            f.get("tracking_number"), f.get("mailed_on"));
  if (!result) {
    return render(ctx, http_status(result.error().code), MailRefusal{number, result.error()});
  }
  return Response::redirect(fmt::format("{}?done=mail&number={}", kPath, url_encode(number)));
}

}  // namespace

void add_letter_routes(Routes& routes) {
  routes.push_back(get(std::string(kPath), show, Access::staff).needs(app::Permission::letters));
  routes.push_back(post("/admin/letters/print", print, Access::staff, Body::form)
                       .needs(app::Permission::letters));
  routes.push_back(
      post("/admin/mail", record_mail, Access::staff, Body::form).needs(app::Permission::letters));
}

}  // namespace onshi::web::admin
