// /admin/applications/C-XXXXXXXX: one application and the decisions on it
// (承認・差戻し・却下・発行). Each decision is a POST to the same URL; success goes back to the
// page with ?done=ACTION, a refusal shows its message beside the action with what was typed kept.
#include <fmt/format.h>

#include <algorithm>

#include "app/applications/certificate_applications.hpp"
#include "app/ca/issuance.hpp"
#include "domain/certificate_application.hpp"
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
  // A refused CSR gets its message beside its own box, and the pasted CSRs stay.
  const int bad_csr =
      refusal && refusal->failure.key == app::review_error_key(app::ReviewError::bad_csr)
          ? refusal->failure.item
          : 0;
  util::TemplateData csrs{util::TemplateData::type::list};
  bool any_csr = false;
  for (int i = 1; i <= a.certificates; ++i) {
    util::TemplateData c;
    c.set("index", std::to_string(i));
    const auto value = refusal ? ctx.form().get(fmt::format("csr_{}", i)) : std::string();
    any_csr = any_csr || !value.empty();
    c.set("value", value);
    if (i == bad_csr && !refusal->failure.detail_key.empty()) {
      c.set("error", ctx.message(refusal->failure.detail_key));
    }
    csrs.push_back(c);
  }
  d.set("csrs", csrs);
  d.set("csrs_open", any_csr || bad_csr > 0);

  const Form q = query(ctx);
  for (const auto action : kActions) {
    if (q.get("done") == action) d.set(fmt::format("done_{}", action), true);
  }
  int status = 200;
  if (refusal) {
    status = http_status(refusal->failure.code);
    // Beside the action; when another operator's change took its form away, above the actions.
    const bool form_shown = refusal->action == "issue" ? can_issue : can_review;
    const std::string prefix = form_shown ? refusal->action : std::string("other");
    if (bad_csr > 0 && form_shown) {
      // The summary says which box; the reason is beside that box.
      d.set(prefix + "_error",
            fmt::format(fmt::runtime(ctx.message("review.bad_csr_at")), bad_csr));
    } else {
      d.set(prefix + "_error", ctx.message(refusal->failure.key));
    }
    if (!refusal->failure.detail_key.empty() && !(bad_csr > 0 && form_shown)) {
      d.set(prefix + "_error_detail", ctx.message(refusal->failure.detail_key));
    }
    d.set(refusal->action + "_note", ctx.form().get("note"));
  }
  return ctx.admin_page(status, "admin/application.html", fmt::format("{} {}", kTitle, a.number),
                        d);
}

Response show(Ctx& ctx) {
  return render(ctx, number_of(ctx), std::nullopt);
}

app::Result<> perform(Ctx& ctx, const std::string& action, const std::string& number) {
  const auto& s = ctx.services();
  const auto& who = actor(ctx);
  const auto& note = ctx.form().get("note");
  if (action == "approve") return app::decide(s, who, number, app::Decision::approve, "");
  if (action == "send_back") return app::decide(s, who, number, app::Decision::send_back, note);
  if (action == "reject") return app::decide(s, who, number, app::Decision::reject, note);
  // issue: a CSR pasted for a certificate makes that terminal's vendor keep its own key.
  std::map<int, std::string> csrs;
  const auto dossier = app::application_dossier(s, number);
  for (int i = 1; dossier && i <= dossier->application.certificates; ++i) {
    const auto& pem = ctx.form().get(fmt::format("csr_{}", i));
    if (pem.find_first_not_of(" \t\r\n") != std::string::npos) csrs[i] = pem;
  }
  auto issued = app::issue_application(s, who, number, csrs);
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
  auto result = perform(ctx, action, number);
  if (!result) {
    if (result.error().is(app::FailureCode::not_found)) {
      return error_page(ctx, 404, result.error().key);
    }
    return render(ctx, number, Refusal{action, result.error()});
  }
  return Response::redirect(fmt::format("{}{}?done={}", kPrefix, url_encode(number), action));
}

}  // namespace

void add_application_routes(Routes& routes) {
  // Whatever follows is looked up: anything but an application's number is the 404 page.
  routes.push_back(get("/admin/applications/{number...}", show, Access::staff));
  // Which permission depends on the action posted (act() checks it).
  routes.push_back(post("/admin/applications/{number...}", act, Access::staff, Body::form));
}

}  // namespace onshi::web::admin
