// /admin/applications/C-XXXXXXXX: one application and the decisions on it
// (承認・差戻し・却下・発行). Each decision is a POST to the same URL; success goes back to the
// page with ?done=ACTION, a refusal shows its message beside the action with what was typed kept.
#include <fmt/format.h>

#include <algorithm>

#include "app/applications/certificate_applications.hpp"
#include "app/ca/issuance.hpp"
#include "app/ca/pickup.hpp"
#include "app/core/dates_shown.hpp"
#include "domain/certificate_application.hpp"
#include "domain/institution_code.hpp"
#include "util/text.hpp"
#include "web/admin/admin.hpp"
#include "web/errors.hpp"
#include "web/forms.hpp"

namespace onshi::web::admin {
namespace {

constexpr std::string_view kPrefix = "/admin/applications/";
constexpr std::string_view kTitle = "申請の詳細";
constexpr std::string_view kActions[] = {"approve", "send_back", "reject", "issue"};
// The issue form sends a csr_N box per certificate besides csrf_token and action.
static_assert(kMaxFormFields >= app::kMaxCertificatesPerApplication + 2);

// What a refused action leaves on the page.
struct Refusal {
  std::string action;
  app::Failure failure;
};

const std::string& number_of(const Ctx& ctx) {
  return ctx.param("number");
}

// The refusal's message: beside the action when its form is on the page, else above the actions.
void set_refusal(Ctx& ctx, util::TemplateData& d, const Refusal& refusal, bool form_shown,
                 int bad_csr) {
  const std::string prefix = form_shown ? refusal.action : std::string("other");
  if (bad_csr > 0 && form_shown) {
    // The summary says which box; the reason is beside that box.
    d.set(prefix + "_error", fmt::format(fmt::runtime(ctx.message("review.bad_csr_at")), bad_csr));
  } else {
    d.set(prefix + "_error", ctx.message(refusal.failure.key));
    if (!refusal.failure.detail_key.empty()) {
      d.set(prefix + "_error_detail", ctx.message(refusal.failure.detail_key));
    }
  }
}

Response render(Ctx& ctx, const std::string& number, const std::optional<Refusal>& refusal) {
  const auto dossier = app::application_dossier(ctx.services(), number);
  if (!dossier) return error_page(ctx, 404, "review.not_found");
  const auto& a = dossier->application;
  const auto& me = actor(ctx);
  util::TemplateData d;
  set_dossier(ctx, d, *dossier);

  const bool can_review =
      domain::can_decide(a.status) && app::allowed(me.role, app::Permission::review);
  const bool can_issue = domain::issue(a.status) && app::allowed(me.role, app::Permission::issue);
  d.set("can_review", can_review);
  d.set("can_issue", can_issue);
  d.set("no_actions", !can_review && !can_issue);
  d.set("approved_by_me",
        ctx.services().config.separate_issuer && a.approved_by && *a.approved_by == me.operator_id);
  // What the office does next and by when (issue 14 §7), as the lists say it.
  const auto work = app::work_of(ctx.services(), a, dossier->letter);
  if (work.next != app::NextStep::none) {
    d.set("next_step",
          ctx.message(fmt::format("admin_next_step.{}", app::next_step_key(work.next))));
    d.set("ship_by", app::date_shown(ctx.services().messages, work.ship_by));
    d.set("overdue", work.overdue);
  }
  // The letter's own actions (印刷 before its first print, 再印刷 after it) for who prints.
  if (dossier->letter && app::allowed(me.role, app::Permission::letters)) {
    d.set(dossier->letter->printed_at ? "can_reprint" : "can_print", true);
  }

  const Form q = query(ctx);
  for (const auto action : kActions) {
    if (q.get("done") == action) d.set(fmt::format("done_{}", action), true);
  }
  // 取得ロックを解除 (pickups.cpp) comes back here naming the certificate it unlocked.
  if (const auto n = app::normalize_issuance_number(q.get("certificate"));
      q.get("done") == "unlock" && !n.empty()) {
    d.set("done_unlock", n);
  }
  // 失効させる (revocation.cpp) comes back here naming the certificate it revoked.
  if (const auto n = app::normalize_issuance_number(q.get("certificate"));
      q.get("done") == "revoke" && !n.empty()) {
    d.set("done_revoke", ctx.services().messages.format("admin_revocation.done", {n}));
  }
  int status = 200;
  if (refusal) {
    status = http_status(refusal->failure.code);
    set_refusal(ctx, d, *refusal, refusal->action == "issue" ? can_issue : can_review, 0);
    d.set(refusal->action + "_note", ctx.form().get("note"));
  }
  return ctx.admin_page(status, "admin/application.html", fmt::format("{} {}", kTitle, a.number),
                        d);
}

// The confirmation of 承認する or 電子証明書を発行する（N枚）: what is decided (the number, the
// clinic and its code, the count and, for issuance, the fee the clinic pays) and that it cannot be
// undone; its button posts the decision with the confirmation token. Shown again, with the
// message beside the button and the CSRs kept, when the decision is refused and still possible.
Response render_confirmation(Ctx& ctx, const std::string& number, const std::string& action,
                             const std::optional<Refusal>& refusal) {
  const auto dossier = app::application_dossier(ctx.services(), number);
  if (!dossier) return error_page(ctx, 404, "review.not_found");
  const auto& a = dossier->application;
  const auto& me = actor(ctx);
  const bool issuing = action == "issue";
  const bool possible =
      issuing ? domain::issue(a.status).has_value() : domain::can_decide(a.status);
  // Nothing left to confirm (another operator acted first): the detail page says why.
  if (!possible) {
    return render(ctx, number,
                  refusal ? refusal
                          : std::optional<Refusal>(Refusal{
                                action, app::review_failure(app::ReviewError::wrong_state)}));
  }
  util::TemplateData d;
  d.set("number", a.number);
  d.set("institution_name", a.institution_name);
  const auto code = domain::InstitutionCode::parse(a.institution_code);
  d.set("institution_code", code ? code->formatted() : a.institution_code);
  d.set("mailing_address", app::mailing_address(ctx.services(), a));
  d.set("status_label", status_label(ctx, domain::state_key(a.status)));
  d.set("certificates", std::to_string(a.certificates));
  set_fee(d, a);
  d.set("expected_notice_on", app::date_shown(ctx.services().messages, a.expected_notice_on));
  d.set("confirmed", app::confirmation_token(a));
  d.set(issuing ? "issuing" : "approving", true);
  d.set("approved_by_me",
        ctx.services().config.separate_issuer && a.approved_by && *a.approved_by == me.operator_id);

  // A refused CSR gets its message beside its own box, and the pasted CSRs stay.
  const int bad_csr =
      refusal && refusal->failure.key == app::review_error_key(app::ReviewError::bad_csr)
          ? refusal->failure.item
          : 0;
  util::TemplateData csrs{util::TemplateData::type::list};
  bool any_csr = false;
  for (int i = 1; issuing && i <= a.certificates; ++i) {
    util::TemplateData c;
    c.set("index", std::to_string(i));
    const auto value =
        ctx.request().method == "POST" ? ctx.form().get(fmt::format("csr_{}", i)) : std::string();
    any_csr = any_csr || !value.empty();
    c.set("value", value);
    if (i == bad_csr && !refusal->failure.detail_key.empty()) {
      c.set("error", ctx.message(refusal->failure.detail_key));
    }
    csrs.push_back(c);
  }
  d.set("csrs", csrs);
  d.set("csrs_open", any_csr || bad_csr > 0);
  int status = 200;
  if (refusal) {
    status = http_status(refusal->failure.code);
    set_refusal(ctx, d, *refusal, true, bad_csr);
  }
  const std::string title = issuing ? "電子証明書の発行の確認" : "承認の確認";
  return ctx.admin_page(status, "admin/confirm_decision.html",
                        fmt::format("{} {}", title, a.number), d);
}

Response show(Ctx& ctx) {
  return render(ctx, number_of(ctx), std::nullopt);
}

Response confirm_approve(Ctx& ctx) {
  return render_confirmation(ctx, number_of(ctx), "approve", std::nullopt);
}

Response confirm_issue(Ctx& ctx) {
  return render_confirmation(ctx, number_of(ctx), "issue", std::nullopt);
}

// 承認 and 発行 cannot be undone (発行 costs the clinic its fee): they act only with the token of
// their confirmation page, so a form posted from elsewhere (an old page, a replayed request)
// gets the confirmation page and changes nothing.
bool needs_confirmation(const std::string& action) {
  return action == "approve" || action == "issue";
}

app::Result<> perform(Ctx& ctx, const std::string& action, const std::string& number) {
  const auto& s = ctx.services();
  const auto& who = actor(ctx);
  const auto& note = ctx.form().get("note");
  const std::optional<std::string> confirmed = ctx.form().get("confirmed");
  if (action == "approve")
    return app::decide(s, who, number, app::Decision::approve, "", confirmed);
  if (action == "send_back") return app::decide(s, who, number, app::Decision::send_back, note);
  if (action == "reject") return app::decide(s, who, number, app::Decision::reject, note);
  // issue: a CSR pasted for a certificate makes that terminal's vendor keep its own key.
  std::map<int, std::string> csrs;
  const auto dossier = app::application_dossier(s, number);
  for (int i = 1; dossier && i <= dossier->application.certificates; ++i) {
    const auto& pem = ctx.form().get(fmt::format("csr_{}", i));
    if (pem.find_first_not_of(" \t\r\n") != std::string::npos) csrs[i] = pem;
  }
  auto issued = app::issue_application(s, who, number, csrs, confirmed);
  if (!issued) return std::unexpected(issued.error());
  return {};
}

Response act(Ctx& ctx) {
  const std::string number = number_of(ctx);
  const std::string action = ctx.form().get("action");
  if (std::ranges::find(kActions, action) == std::end(kActions)) {
    return error_page(ctx, 400, "http.400");
  }
  const auto need = action == "issue" ? app::Permission::issue : app::Permission::review;
  if (auto stop = guard(ctx, need)) return *stop;
  if (needs_confirmation(action) && ctx.form().get("confirmed").empty()) {
    return render_confirmation(ctx, number, action, std::nullopt);
  }
  auto result = perform(ctx, action, number);
  if (!result) {
    if (result.error().is(app::FailureCode::not_found)) {
      return error_page(ctx, 404, result.error().key);
    }
    if (needs_confirmation(action)) {
      return render_confirmation(ctx, number, action, Refusal{action, result.error()});
    }
    return render(ctx, number, Refusal{action, result.error()});
  }
  return Response::redirect(fmt::format("{}{}?done={}", kPrefix, url_encode(number), action));
}

}  // namespace

void add_application_routes(Routes& routes) {
  // Before the catch-all below, which would take them for numbers.
  routes.push_back(get("/admin/applications/{number}/approve", confirm_approve, Access::staff)
                       .needs(app::Permission::review));
  routes.push_back(get("/admin/applications/{number}/issue", confirm_issue, Access::staff)
                       .needs(app::Permission::issue));
  // Whatever follows is looked up: anything but an application's number is the 404 page.
  routes.push_back(get("/admin/applications/{number...}", show, Access::staff));
  // Which permission depends on the action posted (act() checks it).
  routes.push_back(post("/admin/applications/{number...}", act, Access::staff, Body::form));
}

}  // namespace onshi::web::admin
