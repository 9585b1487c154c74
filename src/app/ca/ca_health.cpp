#include "app/ca/ca_health.hpp"

#include <algorithm>

#include "app/ca/certificate_authority.hpp"
#include "app/ca/crl_publisher.hpp"
#include "pki/issuing_ca.hpp"

namespace onshi::app {

std::string_view ca_health_name(CaHealth h) {
  switch (h) {
    case CaHealth::ok:
      return "ok";
    case CaHealth::none:
      return "none";
    case CaHealth::certificate_expired:
      return "certificate_expired";
    case CaHealth::signing_failed:
      return "signing_failed";
    case CaHealth::crl_missing:
      return "crl_missing";
    case CaHealth::crl_expired:
      return "crl_expired";
    case CaHealth::unknown:
      return "unknown";
  }
  return "unknown";
}

bool ca_healthy(CaHealth h) {
  return h == CaHealth::ok || h == CaHealth::none;
}

CaHealth ca_health(const Services& s, bool read_database) {
  if (s.ca == nullptr) return CaHealth::none;
  const auto now = s.clock.now();
  const auto generations = s.ca->issuing().generations();
  const auto current = std::ranges::find_if(generations, [](const auto& g) { return g.current; });
  if (current == generations.end() || now >= current->not_after) {
    return CaHealth::certificate_expired;
  }
  if (crl_signing_failed()) return CaHealth::signing_failed;
  if (!read_database) return CaHealth::unknown;
  // Only the current generation's: an earlier one stops publishing, rightly, once nothing it
  // issued is left to revoke, and its last CRL then runs out.
  const auto [full, delta] = s.db.read([&](store::ReadTx& tx) {
    auto& crls = tx.crls();
    return std::pair{crls.latest_crl(current->key_id_hex, false, false),
                     crls.latest_crl(current->key_id_hex, true, false)};
  });
  if (!full || !delta) return CaHealth::crl_missing;
  const auto now_ms = s.now_ms();
  if (now_ms >= full->next_update || now_ms >= delta->next_update) return CaHealth::crl_expired;
  return CaHealth::ok;
}

}  // namespace onshi::app
