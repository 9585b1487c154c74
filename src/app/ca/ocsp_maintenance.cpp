// What the scheduler does for the OCSP responder: responder certificates renewed before half
// their days are gone, and the pre-produced responses signed again before half their validity is.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "app/ca/certificate_authority.hpp"
#include "app/ca/ocsp_internal.hpp"
#include "app/ca/ocsp_responder.hpp"
#include "app/core/outbox.hpp"

namespace onshi::app {
namespace {

using detail::Clock;

// Responses this close to their refresh time are signed now: the scheduler runs every 5
// minutes, so a request rarely meets a response past its refresh time and signs it itself.
constexpr std::chrono::minutes kRefreshAhead{15};
constexpr int kBatch = 200;
// A bound on one run, so that a run always ends: 200,000 responses.
constexpr int kMaxBatches = 1000;

pki::OcspResponderProfile responder_profile(const Config& c) {
  pki::OcspResponderProfile p;
  p.subject = c.ocsp_subject;
  p.validity = std::chrono::hours(24 * c.ocsp_responder_validity_days);
  return p;
}

store::OcspResponderRecord record_of(const pki::OcspResponderCertificate& c, store::Millis now) {
  store::OcspResponderRecord r;
  r.issuer_key_id = c.issuer_key_id_hex;
  r.serial_hex = c.serial_hex;
  r.der = c.der;
  r.sealed_key = c.sealed_private_key;
  r.not_before = detail::ms(c.not_before);
  r.not_after = detail::ms(c.not_after);
  r.created_at = now;
  return r;
}

// Signs and stores one batch; false when nothing of it could be signed or stored, so that the
// caller stops rather than take the same rows again.
int sign_batch(const Services& s, const std::vector<store::OcspDue>& due, Clock::time_point now) {
  const OcspKeys& keys = s.ca->ocsp_keys();
  std::vector<store::OcspStoredResponse> signed_now;
  for (const auto& d : due) {
    const auto responder = keys.responder(d.certificate.issuer_key_id);
    // A generation whose responder is not loaded (expired, or from another CA folder) waits.
    if (!responder) continue;
    signed_now.push_back(detail::sign_stored(s, *responder, d.certificate, d.hash, now));
  }
  if (signed_now.empty()) return 0;
  return s.db.write([&](store::WriteTx& tx) {
    int stored = 0;
    for (const auto& r : signed_now) stored += tx.ocsp().try_store_ocsp_response(r) ? 1 : 0;
    return stored;
  });
}

}  // namespace

int renew_ocsp_responders(const Services& s) {
  if (s.ca == nullptr) return 0;
  const auto now = s.clock.now();
  const auto now_ms = detail::ms(now);
  const auto profile = responder_profile(s.config);
  const OcspKeys& keys = s.ca->ocsp_keys();
  int issued = 0;
  for (const auto& g : s.ca->issuing().generations()) {
    if (g.not_after <= now) continue;
    // Half the days left, or what the generation itself has left.
    const auto needed_until = detail::ms(std::min(now + profile.validity / 2, g.not_after));
    auto current = s.db.read(
        [&](store::ReadTx& tx) { return tx.ocsp().current_ocsp_responder(g.key_id_hex, now_ms); });
    if (!current || current->not_after < needed_until) {
      const auto cert = pki::issue_ocsp_responder(s.ca->issuing(), g.key_id_hex, profile, now);
      const auto record = record_of(cert, now_ms);
      const bool inserted = s.db.write([&](store::WriteTx& tx) {
        if (!tx.ocsp().try_insert_ocsp_responder(record, needed_until)) return false;
        tx.audit().append_audit({"system", "ocsp.responder_issue", g.serial_hex,
                                 audit_detail({{"serial", cert.serial_hex},
                                               {"issuer_key_id", g.key_id_hex},
                                               {"not_after", std::to_string(record.not_after)}})},
                                now_ms);
        return true;
      });
      // Not inserted: another node renewed first, and its certificate is the one to load.
      if (inserted) ++issued;
      current = s.db.read([&](store::ReadTx& tx) {
        return tx.ocsp().current_ocsp_responder(g.key_id_hex, now_ms);
      });
      if (!current) throw std::runtime_error("no OCSP responder certificate after renewal");
    }
    const auto loaded = keys.responder(g.key_id_hex);
    if (!loaded || loaded->id != current->id) {
      keys.install(g.key_id_hex, {current->id, pki::OcspSigner::open(s.ca->issuing(), current->der,
                                                                     current->sealed_key)});
      spdlog::info("ocsp: responder {} of issuing CA {} in use until {}", current->serial_hex,
                   g.serial_hex, current->not_after);
    }
  }
  return issued;
}

int refresh_ocsp_responses(const Services& s) {
  if (s.ca == nullptr) return 0;
  int stored = 0;
  // Stale first: they are answering now; the missing ones are answered live meanwhile.
  for (int batch = 0; batch < kMaxBatches; ++batch) {
    const auto now = s.clock.now();
    const auto due = s.db.read([&](store::ReadTx& tx) {
      return tx.ocsp().ocsp_responses_stale(detail::ms(now), detail::ms(now + kRefreshAhead),
                                            kBatch);
    });
    if (due.empty()) break;
    const int n = sign_batch(s, due, now);
    if (n == 0) break;
    stored += n;
  }
  store::Id after = 0;
  for (int batch = 0; batch < kMaxBatches; ++batch) {
    const auto now = s.clock.now();
    const auto due = s.db.read([&](store::ReadTx& tx) {
      return tx.ocsp().ocsp_responses_missing(detail::ms(now), after, kBatch);
    });
    if (due.empty()) break;
    after = due.back().certificate.certificate_id;
    stored += sign_batch(s, due, now);
  }
  return stored;
}

}  // namespace onshi::app
