// ご利用の手引き (/help): the steps of the guide, what every status means and what comes next,
// the fee and the desk to contact. Public: people who cannot log in need it most.
#include <fmt/format.h>

#include "app/applications/certificate_applications.hpp"
#include "domain/calendar_date.hpp"
#include "domain/certificate_application.hpp"
#include "domain/certificate_state.hpp"
#include "domain/usage_application.hpp"
#include "util/text.hpp"
#include "web/display.hpp"
#include "web/site.hpp"

namespace onshi::web {
namespace {

// Every value of a status enum, in declaration order: the values run from 0 and state_key gives
// "" past the last, so a status added to the domain shows up here (and, without its catalogue
// entries, fails the help page's test) with no list to keep in step.
template <typename State>
std::vector<std::string> all_state_keys() {
  std::vector<std::string> keys;
  for (int i = 0;; ++i) {
    const auto key = domain::state_key(static_cast<State>(i));
    if (key.empty()) return keys;
    keys.emplace_back(key);
  }
}

// One glossary: label, meaning and 次にすること of each status, from the catalogue.
util::TemplateData glossary(Ctx& ctx, const std::vector<std::string>& keys,
                            const std::string& label_prefix, const std::string& meaning_prefix,
                            const std::string& next_prefix) {
  util::TemplateData list{util::TemplateData::type::list};
  for (const auto& key : keys) {
    util::TemplateData entry;
    entry.set("key", key);
    entry.set("label", ctx.message(label_prefix + key));
    entry.set("meaning", ctx.message(meaning_prefix + key));
    entry.set("next", ctx.message(next_prefix + key));
    list.push_back(entry);
  }
  return list;
}

Response help(Ctx& ctx) {
  const auto& s = ctx.services();
  util::TemplateData d;
  d.set("usage_statuses",
        glossary(ctx, all_state_keys<domain::UsageApplicationState>(), "help_status.usage_label.",
                 "help_status.usage_meaning.", "help_status.usage_next."));
  d.set("application_statuses",
        glossary(ctx, all_state_keys<domain::CertificateApplicationState>(), "certificate_status.",
                 "help_status.application_meaning.", "certificate_next."));
  d.set("certificate_statuses",
        glossary(ctx, all_state_keys<domain::CertificateState>(), "admin.certificate_state.",
                 "help_status.certificate_meaning.", "help_status.certificate_next."));
  if (auto fee = fee_in_effect_today(s)) d.set("fee", *fee);
  d.set("validity", app::period_in_months(s.messages, s.config.terminal_validity_months));
  d.set("pickup_max_attempts", std::to_string(s.config.pickup_max_attempts));
  d.set("pickup_redownload_days", std::to_string(s.config.pickup_redownload_days));
  return ctx.page(200, "help.html", "ご利用の手引き", d);
}

}  // namespace

void add_help_routes(Routes& routes) {
  routes.push_back(get("/help", help, Access::anyone));
}

}  // namespace onshi::web
