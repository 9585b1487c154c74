#pragma once
// What a node can say of its CA to a health check (/healthz), cheaply enough for a probe every
// second: no signature per call, at most one read of the current CRLs' records.
#include <string_view>

#include "app/core/services.hpp"

namespace onshi::app {

enum class CaHealth {
  ok,
  // No CA loaded in this process (none initialised in ca_dir): the portal serves, issuing says
  // so. Not a failure of the node: a portal-only node is a valid deployment.
  none,
  certificate_expired,  // the current issuing CA certificate is past its notAfter
  // The latest CRL signature this process attempted failed (the key or its token unusable);
  // cleared by the next one that succeeds.
  signing_failed,
  crl_missing,  // no full or delta CRL recorded for the current issuing CA yet
  crl_expired,  // the current full or delta CRL is past its nextUpdate: relying parties refuse it
  unknown,      // the CRLs could not be read (the database was not asked)
};

// "ok", "none", "certificate_expired", …: the value of "ca" in /healthz.
std::string_view ca_health_name(CaHealth h);
// ok and none: nothing a relying party or an issuer would find broken.
bool ca_healthy(CaHealth h);

// At the clock's now. `read_database` false: the CRLs are not read (the database did not answer
// a ping), and a CA that passes the other checks is `unknown`.
CaHealth ca_health(const Services& s, bool read_database = true);

}  // namespace onshi::app
