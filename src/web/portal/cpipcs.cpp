// The CPIPCS in two readings: /cpipcs, what a clinic needs to know, and /cpipcs/full, the whole
// CP/CPS for system vendors and verifiers. Both are rendered with this server's own URLs, fee and
// limits, so neither shows a placeholder or a configuration key where the fact should be.
#include <string>

#include "app/applications/certificate_applications.hpp"
#include "app/core/messages.hpp"
#include "domain/calendar_date.hpp"
#include "util/text.hpp"
#include "web/display.hpp"
#include "web/site.hpp"

namespace onshi::web {
namespace {

// Values both readings quote, so the summary and the full text cannot disagree.
util::TemplateData cpipcs_data(const app::Services& s) {
  const auto& c = s.config;
  util::TemplateData d;
  d.set("pickup_valid_days", std::to_string(c.pickup_valid_days));
  d.set("pickup_max_attempts", std::to_string(c.pickup_max_attempts));
  d.set("pickup_redownload_days", std::to_string(c.pickup_redownload_days));
  d.set("unpicked_revocation_grace_days", std::to_string(c.unpicked_revocation_grace_days));
  d.set("renewal_overlap_days", std::to_string(c.renewal_overlap_days));
  d.set("validity", app::period_in_months(s.messages, c.terminal_validity_months));
  if (auto fee = fee_in_effect_today(s)) d.set("fee", *fee);
  return d;
}

Response summary(Ctx& ctx) {
  const auto& s = ctx.services();
  return ctx.page(200, "cpipcs.html", s.messages.get("cpipcs.title"), cpipcs_data(s));
}

Response full(Ctx& ctx) {
  const auto& s = ctx.services();
  const auto& c = s.config;
  auto d = cpipcs_data(s);
  d.set("portal_url", c.base_url);
  d.set("summary_url", c.base_url + "/cpipcs");
  d.set("full_url", c.base_url + "/cpipcs/full");
  d.set("root_ca_url", c.root_ca_issuers_url);
  d.set("issuing_ca_url", c.ca_issuers_url);
  d.set("crl_url", c.crl_url);
  d.set("delta_crl_url", c.delta_crl_url);
  d.set("root_crl_url", c.root_crl_url);
  d.set("ocsp_url", c.ocsp_url);
  if (!c.policy_oid.empty()) d.set("policy_oid", c.policy_oid);
  return ctx.page(200, "cpipcs_full.html", s.messages.get("cpipcs.full_title"), d);
}

}  // namespace

void add_cpipcs_routes(Routes& routes) {
  routes.push_back(get("/cpipcs", summary, Access::anyone));
  routes.push_back(get("/cpipcs/full", full, Access::anyone));
}

}  // namespace onshi::web
