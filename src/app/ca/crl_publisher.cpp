#include "app/ca/crl_publisher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/ca/certificate_authority.hpp"
#include "pki/crl.hpp"
#include "pki/issuing_ca.hpp"

namespace onshi::app {
namespace {

using std::chrono::system_clock;
using Millis = store::Millis;

std::atomic<std::int64_t> published_total{0};
std::atomic<bool> signing_failed{false};

Millis millis(system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
system_clock::time_point time_of(Millis ms) {
  return system_clock::time_point(std::chrono::milliseconds(ms));
}

// What a publication of one generation starts from, read in one transaction.
struct Latest {
  std::optional<store::CrlRecord> full, delta;
  std::int64_t revoked = 0;  // the issuer's revocations up to now
  bool answers_for_certificates = false;
};

// The reserved numbers of one publication.
struct Reservation {
  std::int64_t full = 0, delta = 0, delta_base = 0;
  Millis base_this_update = 0;
  Millis previous_full_this_update = 0;
};

bool due(const Config& c, const Latest& l, system_clock::time_point now) {
  if (!l.full || !l.delta) return true;
  if (l.revoked > std::min(l.full->revoked_seen, l.delta->revoked_seen)) return true;
  const auto validity = std::chrono::milliseconds(l.full->next_update - l.full->this_update);
  const auto every =
      std::min<std::chrono::milliseconds>(std::chrono::hours(c.crl_interval_hours), validity / 2);
  return now >= time_of(l.full->this_update) + every;
}

Latest latest_of(store::CrlsReader& crls, const std::string& key, system_clock::time_point now) {
  Latest l;
  l.full = crls.latest_crl(key, false, false);
  l.delta = crls.latest_crl(key, true, false);
  // Up to the second a CRL made now would stand for: a revocation later in this second waits
  // for the next run rather than making this one publish again and again.
  l.revoked = crls.revoked_count(key, millis(std::chrono::floor<std::chrono::seconds>(now)));
  // Until a full CRL issued after the last certificate's notAfter: then nothing is left to
  // revoke, and the last entries have appeared once after they expired (RFC 5280 3.3).
  l.answers_for_certificates = crls.issued_valid_at(key, l.full ? l.full->this_update : 0);
  return l;
}

bool needs_publishing(const Config& c, const pki::IssuingCaInfo& g, const Latest& l,
                      system_clock::time_point now) {
  if (!g.current && !l.answers_for_certificates) return false;
  return due(c, l, now);
}

std::string delta_url(const Config& c, const pki::IssuingCaInfo& g) {
  // The configured URL (what new certificates name) is the current CA's; an earlier CA's deltas
  // are only at its own name, which the current CA's never takes over.
  if (g.current) return c.delta_crl_url;
  return c.base_url + "/pki/crl/issuing-" + g.serial_hex + "-delta.crl";
}

pki::CrlEntry entry_of(const store::RevokedEntry& r) {
  pki::CrlEntry e;
  e.serial_hex = r.serial_hex;
  e.revoked_at = time_of(r.revoked_at);
  e.reason = r.reason;
  if (r.invalidity_date) e.invalidity_date = time_of(*r.invalidity_date);
  return e;
}

int publish_generation(const Services& s, const pki::IssuingCaInfo& g,
                       system_clock::time_point now) {
  const Config& c = s.config;
  const std::string& key = g.key_id_hex;
  // First without the writer lock, since mostly nothing is due.
  const Latest before =
      s.db.read([&](store::ReadTx& tx) { return latest_of(tx.crls(), key, now); });
  if (!needs_publishing(c, g, before, now)) return 0;

  const auto this_update = std::chrono::floor<std::chrono::seconds>(now);
  const auto next_update = this_update + std::chrono::hours(c.crl_next_update_hours);
  const Millis this_ms = millis(this_update);
  const Millis now_ms = millis(now);
  const auto in_flight_after = now_ms - 1000LL * c.crl_revocation_delay_seconds;
  const auto reserved = s.db.write([&](store::WriteTx& tx) -> std::optional<Reservation> {
    auto& crls = tx.crls();
    // Another node is signing this CA's CRLs; if it read before a revocation, the next run sees
    // that revocation still missing and publishes again.
    if (crls.crl_in_flight(key, in_flight_after)) return std::nullopt;
    // Again, now that no other node can reserve: one that published since the read is enough.
    if (!needs_publishing(c, g, latest_of(crls, key, now), now)) return std::nullopt;
    Reservation r;
    if (auto previous = crls.latest_crl(key, false, false))
      r.previous_full_this_update = previous->this_update;
    const auto base = crls.oldest_valid_full_crl(key, now_ms);
    store::CrlRecord row;
    row.issuer_key_id = key;
    row.this_update = this_ms;
    row.next_update = millis(next_update);
    row.created_at = now_ms;
    r.full = crls.reserve_crl(row);
    // The oldest full CRL still valid: every relying party that holds a valid one can apply the
    // delta (RFC 5280 5.2.4 wants a complete CRL numbered at least the base).
    r.delta_base = base ? base->crl_number : r.full;
    r.base_this_update = base ? base->this_update : this_ms;
    row.delta_base = r.delta_base;
    r.delta = crls.reserve_crl(row);
    return r;
  });
  if (!reserved) return 0;

  pki::CrlFields full_fields;
  full_fields.number = reserved->full;
  full_fields.this_update = this_update;
  full_fields.next_update = next_update;
  full_fields.distribution_point = c.crl_url;
  full_fields.freshest_crl = delta_url(c, g);
  pki::CrlFields delta_fields = full_fields;
  delta_fields.number = reserved->delta;
  delta_fields.delta_base = reserved->delta_base;
  delta_fields.freshest_crl.clear();
  const pki::IssuingCa& ca = s.ca->issuing();
  pki::CrlBuilder full(ca, key, full_fields);
  pki::CrlBuilder delta(ca, key, delta_fields);

  // One snapshot for both lists and the count they answer for: the count recorded is exactly
  // what they saw, so a revocation committed after it makes the next run publish again.
  const auto seen = s.db.read([&](store::ReadTx& tx) {
    auto& crls = tx.crls();
    const std::int64_t count = crls.revoked_count(key, this_ms);
    full.reserve(static_cast<std::size_t>(count));
    crls.scan_revoked({key, reserved->previous_full_this_update, 0, this_ms},
                      [&](const store::RevokedEntry& r) { full.add(entry_of(r)); });
    const Millis since =
        reserved->base_this_update -
        std::chrono::duration_cast<std::chrono::milliseconds>(kDeltaMargin).count();
    crls.scan_revoked({key, 0, since, this_ms},
                      [&](const store::RevokedEntry& r) { delta.add(entry_of(r)); });
    return count;
  });
  const std::size_t full_entries = full.entries();
  const std::size_t delta_entries = delta.entries();
  std::string full_der, delta_der;
  try {
    full_der = full.sign();
    delta_der = delta.sign();
  } catch (...) {
    // Housekeeping logs it; /healthz says so until a signature succeeds (app/ca/ca_health.hpp).
    signing_failed = true;
    throw;
  }
  signing_failed = false;
  s.db.write([&](store::WriteTx& tx) {
    tx.crls().record_crl(key, reserved->full, full_der, seen);
    tx.crls().record_crl(key, reserved->delta, delta_der, seen);
  });
  spdlog::info(
      "crl: issuing CA {} full CRL {} ({} entries, {} bytes), delta CRL {} on base {} ({} "
      "entries)",
      g.serial_hex, reserved->full, full_entries, full_der.size(), reserved->delta,
      reserved->delta_base, delta_entries);
  published_total += 2;
  return 2;
}

std::optional<PublishedCrl> root_crl(const Services& s) {
  const auto path = std::filesystem::path(s.config.ca_dir) / "root.crl";
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  PublishedCrl out;
  out.der = bytes.str();
  try {
    const auto summary = pki::summarize_crl(out.der);
    out.number = summary.number;
    out.this_update = summary.this_update;
    out.next_update = summary.next_update;
  } catch (const std::runtime_error& e) {
    spdlog::error("crl: {} is no CRL: {}", path.string(), e.what());
    return std::nullopt;
  }
  return out;
}

}  // namespace

int publish_crls(const Services& s, system_clock::time_point now) {
  if (s.ca == nullptr) return 0;
  int published = 0;
  for (const auto& g : s.ca->issuing().generations()) published += publish_generation(s, g, now);
  return published;
}

int publish_crls(const Services& s) {
  return publish_crls(s, s.clock.now());
}

std::chrono::milliseconds crl_job_period(const Config& config) {
  return std::max<std::chrono::milliseconds>(
      std::chrono::seconds(1), std::chrono::seconds(config.crl_revocation_delay_seconds) / 4);
}

std::int64_t crls_published_total() {
  return published_total.load();
}

bool crl_signing_failed() {
  return signing_failed.load();
}

std::optional<PublishedCrl> published_crl(const Services& s, std::string_view name, bool with_der) {
  if (name == "root.crl") return root_crl(s);
  if (s.ca == nullptr || !name.starts_with("issuing") || !name.ends_with(".crl"))
    return std::nullopt;
  std::string_view stem = name.substr(7, name.size() - 7 - 4);  // between "issuing" and ".crl"
  const bool delta = stem.ends_with("-delta");
  if (delta) stem.remove_suffix(6);
  std::string serial;
  if (!stem.empty()) {
    if (!stem.starts_with("-") || stem.size() < 2) return std::nullopt;
    for (char ch : stem.substr(1)) serial += ch >= 'A' && ch <= 'F' ? char(ch - 'A' + 'a') : ch;
  }
  std::string key;
  for (const auto& g : s.ca->issuing().generations()) {
    if (serial.empty() ? g.current : g.serial_hex == serial) key = g.key_id_hex;
  }
  if (key.empty()) return std::nullopt;
  auto crl =
      s.db.read([&](store::ReadTx& tx) { return tx.crls().latest_crl(key, delta, with_der); });
  if (!crl) return std::nullopt;
  return PublishedCrl{std::move(crl->der), crl->crl_number, time_of(crl->this_update),
                      time_of(crl->next_update)};
}

}  // namespace onshi::app
