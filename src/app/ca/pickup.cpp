// Opening a pickup: the pair checked, failures counted per number and per address, the window
// and the re-download days applied; the grant that carries a right pair between pages.
#include "app/ca/pickup.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "app/ca/issuance.hpp"
#include "app/core/outbox.hpp"
#include "domain/certificate_state.hpp"
#include "util/secrets.hpp"
#include "util/text.hpp"

namespace onshi::app {
namespace {

constexpr store::Millis kDayMs = 86'400'000;
// Wrong pairs an address may type before each further one locks it, doubling from the login lock
// base: enough for a vendor's typing at a hospital behind one address, far too few to walk
// through numbers (each code has 80 bits).
constexpr int kFreeFailuresPerAddress = 10;
constexpr store::Millis kMaxAddressLockMs = 3'600'000;

Failure failure(FailureCode code, std::string key) {
  return Failure::of(code, std::move(key));
}

std::string address_key(std::string_view address) {
  return "pickup:" + std::string(address);
}

// `key` is csrf_key(s), read before any transaction (it opens one of its own).
std::string grant_mac(const std::string& key, const store::CertificateRecord& c,
                      store::Millis until) {
  // The code's hash is part of it: a new letter's code voids the grants of the old one.
  return util::hmac_sha256_b64(
      key, fmt::format("pickup-grant|{}|{}|{}", c.serial_hex, c.pickup_code_hash, until));
}

std::string grant_token(const std::string& key, const store::CertificateRecord& c,
                        store::Millis now) {
  const auto until = now + static_cast<store::Millis>(kPickupGrantMinutes) * 60'000;
  return fmt::format("{}.{}.{}", c.serial_hex, until, grant_mac(key, c, until));
}

store::Millis usable_until(const Services& s, const store::CertificateRecord& c) {
  return pickup_usable_until(s, c.pickup_expires_at, c.picked_up_at);
}

enum class Verdict { open, wrong, throttled, locked, revoked, closed, window_over };

// What a right code finds, in the order a person can act on it.
Verdict verdict_for(const Services& s, store::WriteTx* tx, const store::CertificateRecord& c,
                    store::Millis now) {
  if (c.pickup_locked_at) return Verdict::locked;
  if (c.revoked_at || c.status == domain::CertificateState::revoked) return Verdict::revoked;
  if (c.pickup_closed_at) return Verdict::closed;
  if (now >= usable_until(s, c)) {
    if (!c.picked_up_at) return Verdict::window_over;
    // Re-download days over: closed here too, so that the key goes even before the sweeper runs.
    if (tx && tx->certificates().close_pickup(c.id, store::PickupClosed::lapsed, now)) {
      tx->audit().append_audit({"system", "certificate.pickup_lapsed", c.issuance_number,
                                audit_detail({{"serial", c.serial_hex}})},
                               now);
    }
    return Verdict::closed;
  }
  if (now >= c.not_after) return Verdict::window_over;
  return Verdict::open;
}

Failure refusal(Verdict v) {
  switch (v) {
    case Verdict::throttled:
      return failure(FailureCode::throttled, "pickup.throttled");
    case Verdict::locked:
      return failure(FailureCode::forbidden, "pickup.locked");
    case Verdict::revoked:
      return failure(FailureCode::conflict, "pickup.revoked");
    case Verdict::closed:
      return failure(FailureCode::conflict, "pickup.closed");
    case Verdict::window_over:
      return failure(FailureCode::conflict, "pickup.window_over");
    case Verdict::wrong:
    case Verdict::open:
      break;
  }
  return failure(FailureCode::unauthenticated, "pickup.wrong_pair");
}

// The wrong pair counted against the address (locking it past its free failures) and against the
// number, whose pickup locks at pki.pickup_max_attempts.
void count_wrong_pair(const Services& s, store::WriteTx& tx, int address_attempt,
                      const std::optional<store::CertificateRecord>& c, store::Millis now,
                      std::string_view address) {
  if (address_attempt >= kFreeFailuresPerAddress) {
    const int doublings = std::min(address_attempt - kFreeFailuresPerAddress, 20);
    const auto base = static_cast<store::Millis>(s.config.login_lock_base_seconds) * 1000;
    tx.tokens().lock_login(address_key(address),
                           now + std::min(base << doublings, kMaxAddressLockMs));
  }
  // A closed pickup has no code left to guess: nothing to lock.
  if (!c || c->pickup_code_hash.empty() || c->pickup_closed_at) return;
  const auto failures =
      tx.certificates().count_pickup_failure(c->id, s.config.pickup_max_attempts, now);
  if (failures && *failures >= s.config.pickup_max_attempts) {
    tx.audit().append_audit({"pickup", "certificate.pickup_locked", c->issuance_number,
                             audit_detail({{"serial", c->serial_hex},
                                           {"failures", std::to_string(*failures)},
                                           {"address", address}})},
                            now);
  }
}

PickupGrant grant_of(const Services& s, const std::string& key, store::ReadTx& tx,
                     const store::CertificateRecord& c, store::Millis now) {
  PickupGrant g;
  g.token = grant_token(key, c, now);
  g.certificate = c;
  if (auto a = tx.certificate_applications().find_certificate_application_by_id(c.application_id))
    g.institution_name = a->institution_name;
  g.downloads = tx.certificates().downloads_of(c.id);
  g.usable_until = usable_until(s, c);
  return g;
}

}  // namespace

store::Millis pickup_usable_until(const Services& s, store::Millis pickup_expires_at,
                                  std::optional<store::Millis> picked_up_at) {
  if (!picked_up_at) return pickup_expires_at;
  return std::min(
      pickup_expires_at,
      *picked_up_at + static_cast<store::Millis>(s.config.pickup_redownload_days) * kDayMs);
}

std::string normalize_issuance_number(std::string_view typed) {
  std::string digits;
  bool prefix = false;
  for (char ch : util::normalize_code_input(typed)) {
    if (ch == '-' || ch == ' ') continue;
    if ((ch == 'C' || ch == 'c') && digits.empty() && !prefix) {
      prefix = true;
      continue;
    }
    if (ch < '0' || ch > '9') return {};
    digits.push_back(ch);
  }
  if (digits.size() != 10) return {};
  return fmt::format("C-{}-{}", digits.substr(0, 8), digits.substr(8));
}

Result<PickupGrant> open_pickup(const Services& s, const PickupAttempt& attempt) {
  if (!s.ca) return std::unexpected(failure(FailureCode::unavailable, "pickup.unavailable"));
  const auto number = normalize_issuance_number(attempt.issuance_number);
  const auto code = normalize_pickup_code(attempt.code);
  const auto key = address_key(attempt.client_address);
  const auto grant_key = csrf_key(s);
  struct Outcome {
    Verdict verdict = Verdict::wrong;
    std::optional<PickupGrant> grant;
  };
  // A refusal is a plain value here, not an error: its counts and audit must commit.
  const auto out = s.db.write([&](store::WriteTx& tx) -> Outcome {
    const auto now = s.now_ms();
    const auto address_attempt = tx.tokens().count_login_attempt(key, now);
    if (!address_attempt) return {Verdict::throttled, {}};
    std::optional<store::CertificateRecord> c;
    if (!number.empty()) c = tx.certificates().find_current_certificate(number);
    const bool right = c && !code.empty() && !c->pickup_code_hash.empty() &&
                       util::constant_time_equal(c->pickup_code_hash, util::sha256_hex(code));
    if (!right) {
      count_wrong_pair(s, tx, *address_attempt, c, now, attempt.client_address);
      return {Verdict::wrong, {}};
    }
    // A right pair is no failure of the address.
    tx.tokens().forgive_login_attempt(key);
    const auto v = verdict_for(s, &tx, *c, now);
    if (v != Verdict::open) return {v, {}};
    return {v, grant_of(s, grant_key, tx, *c, now)};
  });
  if (out.verdict != Verdict::open) return std::unexpected(refusal(out.verdict));
  return *out.grant;
}

Result<PickupGrant> resume_pickup(const Services& s, std::string_view token) {
  const auto expired = failure(FailureCode::unauthenticated, "pickup.grant_expired");
  const auto dot1 = token.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.size() > 256) return std::unexpected(expired);
  const auto serial = std::string(token.substr(0, dot1));
  const auto until_text = token.substr(dot1 + 1, dot2 - dot1 - 1);
  store::Millis until = 0;
  if (std::from_chars(until_text.data(), until_text.data() + until_text.size(), until).ec !=
      std::errc{}) {
    return std::unexpected(expired);
  }
  const auto grant_key = csrf_key(s);
  return s.db.read([&](store::ReadTx& tx) -> Result<PickupGrant> {
    const auto now = s.now_ms();
    const auto c = tx.certificates().find_certificate_by_serial(serial);
    if (!c || c->replaced_at || until < now ||
        !util::constant_time_equal(grant_mac(grant_key, *c, until), token.substr(dot2 + 1))) {
      return std::unexpected(expired);
    }
    if (const auto v = verdict_for(s, nullptr, *c, now); v != Verdict::open)
      return std::unexpected(refusal(v));
    auto g = grant_of(s, grant_key, tx, *c, now);
    g.token = std::string(token);  // the same deadline: a grant is not extended by using it
    return g;
  });
}

PickupGrant grant_for(const Services& s, const store::CertificateRecord& c) {
  const auto grant_key = csrf_key(s);
  return s.db.read([&](store::ReadTx& tx) { return grant_of(s, grant_key, tx, c, s.now_ms()); });
}

Result<> complete_pickup(const Services& s, const SessionUser& user, std::string_view number) {
  const auto n = normalize_issuance_number(number);
  return s.db.write([&](store::WriteTx& tx) -> Result<> {
    const auto c = n.empty() ? std::nullopt : tx.certificates().find_current_certificate(n);
    if (!c || c->institution_id != user.institution.id)
      return std::unexpected(Failure::of(FailureCode::not_found, "certificate.not_found"));
    if (!c->picked_up_at)
      return std::unexpected(failure(FailureCode::conflict, "pickup.not_picked_up"));
    const auto now = s.now_ms();
    // Days over but not swept yet: it closed by itself, and is recorded so.
    const bool lapsed = now >= usable_until(s, *c);
    const auto how = lapsed ? store::PickupClosed::lapsed : store::PickupClosed::completed;
    if (!tx.certificates().close_pickup(c->id, how, now))
      return std::unexpected(failure(FailureCode::conflict, "pickup.closed"));
    tx.audit().append_audit(
        {lapsed ? std::string("system") : fmt::format("account:{}", user.account.id),
         lapsed ? "certificate.pickup_lapsed" : "certificate.pickup_complete", c->issuance_number,
         audit_detail({{"serial", c->serial_hex}})},
        now);
    return {};
  });
}

Result<> unlock_pickup(const Services& s, const Actor& who, std::string_view number) {
  if (!allowed(who.role, Permission::letters))
    return std::unexpected(Failure::of(FailureCode::forbidden, "review.forbidden"));
  const auto n = normalize_issuance_number(number);
  return s.db.write([&](store::WriteTx& tx) -> Result<> {
    const auto c = n.empty() ? std::nullopt : tx.certificates().find_current_certificate(n);
    if (!c) return std::unexpected(Failure::of(FailureCode::not_found, "certificate.not_found"));
    if (!tx.certificates().unlock_pickup(c->id))
      return std::unexpected(failure(FailureCode::conflict, "pickup.not_locked"));
    tx.audit().append_audit({who.audit_name(), "certificate.pickup_unlock", c->issuance_number,
                             audit_detail({{"serial", c->serial_hex}, {"by", who.login}})},
                            s.now_ms());
    return {};
  });
}

int close_lapsed_pickups(const Services& s) {
  return s.db.write([&](store::WriteTx& tx) {
    const auto now = s.now_ms();
    const auto days = static_cast<store::Millis>(s.config.pickup_redownload_days) * kDayMs;
    int closed = 0;
    for (const auto& c : tx.certificates().lapsed_pickups(now - days, now)) {
      if (!tx.certificates().close_pickup(c.id, store::PickupClosed::lapsed, now)) continue;
      ++closed;
      tx.audit().append_audit({"system", "certificate.pickup_lapsed", c.issuance_number,
                               audit_detail({{"serial", c.serial_hex}})},
                              now);
    }
    return closed;
  });
}

}  // namespace onshi::app
