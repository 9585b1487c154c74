// 通知書・書留: printing the notice letters the operator chose (each pickup code is printed once,
// so the print is confirmed first), 新しい取得コードで再印刷 when a print or a letter is lost, and
// recording the registered mail (書留) that carries them.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>

#include "app/applications/certificate_applications.hpp"
#include "app/ca/issuance.hpp"
#include "app/core/dates_shown.hpp"
#include "app/core/form_values.hpp"
#include "app/office/notice_letters.hpp"
#include "domain/calendar_date.hpp"
#include "domain/certificate_state.hpp"
#include "web/admin/admin.hpp"
#include "web/display.hpp"
#include "web/errors.hpp"

namespace onshi::web::admin {
namespace {

constexpr std::string_view kPath = "/admin/letters";
constexpr std::string_view kTitle = "通知書・書留";
// The list numbers its checkboxes up to this (the dashboard reads as many applications).
constexpr std::size_t kMaxListed = 5000;

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
  int index = 0;
  for (const auto& a : q.printable) {
    if (static_cast<std::size_t>(index) == kMaxListed) break;
    util::TemplateData r;
    r.set("index", std::to_string(++index));
    r.set("number", a.number);
    r.set("institution_name", a.institution_name);
    r.set("certificates", std::to_string(a.certificates));
    r.set("expected_notice_on", app::date_shown(ctx.services().messages, a.expected_notice_on));
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
    const auto& letter = q.letters.at(a.id);
    r.set("printed_at", app::time_shown(ctx.services().messages, *letter.printed_at));
    // A resend: the letter posted before is void, its new one goes by registered mail again.
    if (letter.resend_due && letter.tracking_number && letter.reprinted_at) {
      r.set("resend", true);
      r.set("reprinted_at", app::time_shown(ctx.services().messages, *letter.reprinted_at));
      r.set("previous_tracking", tracking_number_shown(*letter.tracking_number));
    }
    r.set("expected_notice_on", app::date_shown(ctx.services().messages, a.expected_notice_on));
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

// The chosen letters' applications, n1, n2, … (a checkbox per letter on the list, hidden fields on
// the confirmation), each once, in the order given.
std::vector<std::string> chosen(const Form& f) {
  std::vector<std::string> out;
  for (std::size_t i = 1; i <= kMaxListed; ++i) {
    const auto& n = f.get(fmt::format("n{}", i));
    if (!n.empty() && std::ranges::find(out, n) == out.end()) out.push_back(n);
  }
  return out;
}

Response pdf_answer(Ctx& ctx, std::string pdf, std::string_view name) {
  // Named by the minute in Japan, so each batch keeps its own file in the download folder.
  const auto jst =
      std::chrono::floor<std::chrono::minutes>(ctx.services().clock.now() + std::chrono::hours{9});
  Response r = Response::text(200, "application/pdf", std::move(pdf));
  r.header("Content-Disposition",
           fmt::format("attachment; filename=\"{}-{:%Y%m%d-%H%M}.pdf\"", name, jst));
  r.header("Cache-Control", "no-store");
  return r;
}

// What the print will hold and what it uses up: the pickup codes in the PDF are their only copy.
Response print_confirmation(Ctx& ctx, const std::vector<std::string>& numbers) {
  if (numbers.empty()) {
    return render(ctx, 422, std::nullopt, ctx.message("office_confirm.no_letters_chosen"));
  }
  if (numbers.size() > app::kMaxLettersPerBatch) {
    return render(ctx, 422, std::nullopt, ctx.message("office_confirm.too_many_letters"));
  }
  const auto q = app::letter_queue(ctx.services());
  util::TemplateData rows{util::TemplateData::type::list};
  int index = 0;
  int certificates = 0;
  for (const auto& number : numbers) {
    const auto it =
        std::ranges::find_if(q.printable, [&](const auto& a) { return a.number == number; });
    // Printed by someone else since the list was shown: say so rather than print less.
    if (it == q.printable.end()) {
      return render(ctx, 409, std::nullopt, ctx.message("office_confirm.letters_changed"));
    }
    util::TemplateData r;
    r.set("index", std::to_string(++index));
    r.set("number", it->number);
    r.set("institution_name", it->institution_name);
    r.set("certificates", std::to_string(it->certificates));
    certificates += it->certificates;
    rows.push_back(r);
  }
  util::TemplateData d;
  d.set("letters", rows);
  d.set("count", std::to_string(numbers.size()));
  d.set("certificates", std::to_string(certificates));
  return ctx.admin_page(200, "admin/confirm_print.html", "通知書の印刷の確認", d);
}

Response confirm_print(Ctx& ctx) {
  return print_confirmation(ctx, chosen(query(ctx)));
}

Response print(Ctx& ctx) {
  const auto& s = ctx.services();
  const auto numbers = chosen(ctx.form());
  // Printing uses up the codes: only from the confirmation page, which states what it prints.
  if (numbers.empty() || ctx.form().get("confirmed") != "1") {
    return print_confirmation(ctx, numbers);
  }
  auto batch = app::print_notice_letters(s, actor(ctx), {}, numbers);
  if (!batch) {
    return render(ctx, http_status(batch.error().code), std::nullopt,
                  ctx.message(batch.error().key));
  }
  if (batch->pdf.empty()) return Response::redirect(std::string(kPath) + "?done=nothing");
  return pdf_answer(ctx, std::move(batch->pdf), "notice-letters");
}

// 新しい取得コードで再印刷 of one application's letter: what it renews and what it voids.
Response reprint_confirmation(Ctx& ctx, const std::string& number, int status,
                              const std::string& error = {}) {
  const auto dossier = app::application_dossier(ctx.services(), number);
  if (!dossier) return error_page(ctx, 404, "review.not_found");
  const auto& a = dossier->application;
  util::TemplateData d;
  d.set("number", a.number);
  d.set("institution_name", a.institution_name);
  d.set("mailing_address", app::mailing_address(ctx.services(), a));
  int waiting = 0;
  for (const auto& c : dossier->certificates) {
    waiting += c.status == domain::CertificateState::issued && !c.picked_up_at && !c.revoked_at;
  }
  d.set("waiting", std::to_string(waiting));
  d.set("certificates", std::to_string(dossier->certificates.size()));
  d.set("pickup_valid_days", std::to_string(ctx.services().config.pickup_valid_days));
  if (dossier->letter && dossier->letter->printed_at) {
    d.set("printed_at", app::time_shown(ctx.services().messages, *dossier->letter->printed_at));
  }
  if (dossier->letter && dossier->letter->tracking_number) {
    d.set("mailed", tracking_number_shown(*dossier->letter->tracking_number));
  }
  if (!error.empty()) d.set("reprint_error", error);
  return ctx.admin_page(status, "admin/confirm_reprint.html",
                        fmt::format("新しい取得コードで再印刷 {}", a.number), d);
}

Response confirm_reprint(Ctx& ctx) {
  return reprint_confirmation(ctx, query(ctx).get("number"), 200);
}

Response reprint(Ctx& ctx) {
  const auto& number = ctx.form().get("number");
  if (ctx.form().get("confirmed") != "1") return reprint_confirmation(ctx, number, 200);
  auto batch = app::reprint_notice_letter(ctx.services(), actor(ctx), number);
  if (!batch) {
    if (batch.error().is(app::FailureCode::not_found)) {
      return error_page(ctx, 404, batch.error().key);
    }
    return reprint_confirmation(ctx, number, http_status(batch.error().code),
                                ctx.message(batch.error().key));
  }
  return pdf_answer(ctx, std::move(batch->pdf), "notice-letter-" + number + "-reprint");
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
  routes.push_back(
      get("/admin/letters/print", confirm_print, Access::staff).needs(app::Permission::letters));
  routes.push_back(post("/admin/letters/print", print, Access::staff, Body::form)
                       .needs(app::Permission::letters));
  routes.push_back(get("/admin/letters/reprint", confirm_reprint, Access::staff)
                       .needs(app::Permission::letters));
  routes.push_back(post("/admin/letters/reprint", reprint, Access::staff, Body::form)
                       .needs(app::Permission::letters));
  routes.push_back(
      post("/admin/mail", record_mail, Access::staff, Body::form).needs(app::Permission::letters));
}

}  // namespace onshi::web::admin
