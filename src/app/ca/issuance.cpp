// 発行 in three steps, as Boulder issues: reserve the serials (one transaction), sign (no
// transaction), store the certificates (another transaction); resolve_interrupted_issuance
// settles what a crash left between them.
#include "app/ca/issuance.hpp"

#include <fmt/format.h>

#include <chrono>
#include <expected>
#include <set>
#include <string_view>

#include "app/billing/charges.hpp"
#include "app/ca/certificate_authority.hpp"
#include "app/ca/issuance_keys.hpp"
#include "app/core/outbox.hpp"
#include "domain/certificate_application.hpp"
#include "domain/certificate_state.hpp"
#include "pki/issuing_ca.hpp"
#include "pki/serial.hpp"
#include "pki/terminal_profile.hpp"
#include "util/text.hpp"

namespace onshi::app {
namespace {

constexpr int kSerialAttempts = 5;

std::chrono::system_clock::time_point time_of(store::Millis ms) {
  return std::chrono::system_clock::time_point{std::chrono::milliseconds{ms}};
}

store::Millis millis_of(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// The smallest terminal numbers the institution has not used yet (CPIPCS 4.3.1).
std::vector<std::string> free_terminals(const std::vector<std::string>& used, int count) {
  const std::set<std::string> taken(used.begin(), used.end());
  std::vector<std::string> out;
  for (int n = 1; static_cast<int>(out.size()) < count; ++n) {
    auto t = fmt::format("T{:02d}", n);
    if (!taken.contains(t)) out.push_back(std::move(t));
  }
  return out;
}

// A reservation older than this is taken as lost (its node died between the steps): long enough for
// 99 signatures on a slow HSM.
constexpr store::Millis kReservationLeaseMs = 10 * 60'000;

// What step 1 reserved, for steps 2 and 3.
struct IssuancePlan {
  store::CertificateApplicationRecord application;
  std::vector<store::IssuanceReservation> reservations;  // by position
  store::Millis reserved_at = 0;
  // A renewal's certificates being renewed, by position; empty for new terminals.
  std::vector<store::CertificateRecord> renewed;
};

// The certificates a renewal application renews, each still its number's current one and
// unrevoked (else someone renewed, re-enrolled or revoked it since the clinic applied).
Result<std::vector<store::CertificateRecord>> renewed_by(
    store::WriteTx& tx, const store::CertificateApplicationRecord& a) {
  std::vector<store::CertificateRecord> out;
  if (a.kind != store::ApplicationKind::renewal) return out;
  for (const auto& item : tx.certificate_applications().renewal_items(a.id)) {
    auto c = tx.certificates().find_current_certificate(item.issuance_number);
    if (!c || c->id != item.certificate_id || c->revoked_at)
      return std::unexpected(review_failure(ReviewError::wrong_state, "renewal.renewed_meanwhile"));
    out.push_back(std::move(*c));
  }
  if (static_cast<int>(out.size()) != a.certificates)
    throw std::logic_error("issuance: a renewal's certificates are not its count");
  return out;
}

// Reservations whose certificates will never be stored: their serials stay taken (a signature
// over one may exist in a dead process's memory, never handed to anyone), and the audit log says
// which.
int abandon(store::WriteTx& tx, const std::vector<store::IssuanceReservation>& left,
            store::Millis now) {
  int abandoned = 0;
  for (const auto& r : left) {
    if (!tx.issuance().settle_reservation(r.id, false, now)) continue;
    ++abandoned;
    tx.audit().append_audit(
        {"system", "certificate.reservation_abandoned", r.planned.issuance_number,
         audit_detail({{"serial", r.planned.serial_hex}})},
        now);
  }
  return abandoned;
}

// The same in a transaction of its own, after a step failed. When even that fails, the sweeper
// (resolve_interrupted_issuance) does it after the lease.
void abandon_now(const Services& s, const std::vector<store::IssuanceReservation>& left) noexcept {
  try {
    s.db.write([&](store::WriteTx& tx) { abandon(tx, left, s.now_ms()); });
  } catch (...) {
  }
}

Result<std::vector<IssuedTerminal>> store_signed(
    const Services& s, store::WriteTx& tx, const Actor& who, const IssuancePlan& plan,
    const std::vector<store::CertificateRecord>& certs) {
  const auto now = s.now_ms();
  const auto& a = plan.application;
  std::vector<IssuedTerminal> issued;
  for (std::size_t i = 0; i < certs.size(); ++i) {
    const auto& c = certs[i];
    // Settled meanwhile: the sweeper took this issuance for lost. Nothing is stored.
    if (!tx.issuance().settle_reservation(plan.reservations[i].id, true, now)) {
      return std::unexpected(review_failure(ReviewError::wrong_state));
    }
    // A renewal replaces the number's current certificate as EST re-enrolment does (reissue.cpp):
    // no longer current, still valid until the overlap after the new one's first download ends.
    if (!plan.renewed.empty() && !tx.certificates().mark_renewed(plan.renewed[i].id, now)) {
      return std::unexpected(review_failure(ReviewError::wrong_state, "renewal.renewed_meanwhile"));
    }
    const auto id = tx.certificates().try_insert_certificate_id(c);
    if (!id) throw std::logic_error("issuance: a reserved serial or number is certified already");
    // The row as stored, without reading it back: only its id is new.
    store::CertificateRecord stored = c;
    stored.id = *id;
    record_charge(s, tx, stored, a,
                  plan.renewed.empty() ? store::ChargeKind::issue : store::ChargeKind::renewal,
                  now);
    if (plan.renewed.empty()) {
      tx.audit().append_audit({who.audit_name(), "certificate.issue", c.issuance_number,
                               audit_detail({{"application", a.number},
                                             {"serial", c.serial_hex},
                                             {"terminal", c.terminal},
                                             {"key_source", store::key_source_name(c.key_source)},
                                             {"subject", c.subject}})},
                              now);
    } else {
      tx.audit().append_audit({who.audit_name(), "certificate.renew", c.issuance_number,
                               audit_detail({{"application", a.number},
                                             {"serial", c.serial_hex},
                                             {"renewed", plan.renewed[i].serial_hex},
                                             {"generation", std::to_string(c.generation)},
                                             {"terminal", c.terminal},
                                             {"key_source", store::key_source_name(c.key_source)},
                                             {"subject", c.subject}})},
                              now);
    }
    issued.push_back({c.terminal, c.issuance_number, c.serial_hex});
  }
  const auto to = domain::issue(a.status);
  // The reservation kept every other issuer out, and nothing else leaves 承認.
  if (!to || !tx.certificate_applications().set_certificate_application_status(a.id, a.status, *to,
                                                                               "", now)) {
    return std::unexpected(review_failure(ReviewError::wrong_state));
  }
  tx.letters().insert_notice_letter(a.id, now);
  tx.audit().append_audit(
      {who.audit_name(), "application.issue", a.number,
       audit_detail({{"certificates", std::to_string(certs.size())}, {"by", who.login}})},
      now);
  util::TemplateData m;
  m.set("number", a.number);
  m.set("institution_name", a.institution_name);
  m.set("contact_name", a.contact_name);
  m.set("count", std::to_string(certs.size()));
  m.set("expected_notice_on", a.expected_notice_on);
  enqueue_mail(s, tx, a.email, "certificates_issued", m);
  return issued;
}

}  // namespace

Result<std::vector<IssuedTerminal>> issue_application(const Services& s, const Actor& who,
                                                      std::string_view number,
                                                      const std::map<int, std::string>& csrs,
                                                      const std::optional<std::string>& confirmed) {
  if (!allowed(who.role, Permission::issue)) {
    return std::unexpected(review_failure(ReviewError::forbidden));
  }
  if (!s.ca) return std::unexpected(review_failure(ReviewError::ca_unavailable));

  std::optional<store::CertificateApplicationRecord> found;
  s.db.read([&](store::ReadTx& tx) {
    found =
        tx.certificate_applications().find_certificate_application_by_number(std::string(number));
  });
  if (!found) return std::unexpected(review_failure(ReviewError::not_found));
  // Checked here too (the transaction checks again) so that a refusal costs no key generation.
  if (!domain::issue(found->status)) {
    return std::unexpected(review_failure(ReviewError::wrong_state));
  }
  if (confirmed && *confirmed != confirmation_token(*found)) {
    return std::unexpected(review_failure(ReviewError::confirmation_stale));
  }
  if (s.config.separate_issuer && found->approved_by == std::optional<store::Id>(who.operator_id)) {
    return std::unexpected(review_failure(ReviewError::same_operator));
  }
  const int count = found->certificates;

  // Keys are checked or generated, and the pickup codes made, before the transaction: RSA
  // generation can take a while and must not hold the writer lock.
  const auto prepared = prepare_terminals(s, csrs, count);
  if (!prepared) return std::unexpected(prepared.error());
  const auto& keys = *prepared;
  const auto& profile = s.ca->profile();

  // Step 1: reserve the serials and store what is to be signed.
  auto plan = s.db.write([&](store::WriteTx& tx) -> Result<IssuancePlan> {
    auto a =
        tx.certificate_applications().find_certificate_application_by_number(std::string(number));
    if (!a || !domain::issue(a->status)) {
      return std::unexpected(review_failure(ReviewError::wrong_state));
    }
    // The count and fee the issuer confirmed are those of this application as it is now.
    if (confirmed && *confirmed != confirmation_token(*a)) {
      return std::unexpected(review_failure(ReviewError::confirmation_stale));
    }
    if (s.config.separate_issuer && a->approved_by == std::optional<store::Id>(who.operator_id)) {
      return std::unexpected(review_failure(ReviewError::same_operator));
    }
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (tx.certificates().public_key_certified(keys[i].spki_sha256)) {
        return std::unexpected(
            review_failure(ReviewError::bad_csr, "csr.duplicate_key", static_cast<int>(i) + 1));
      }
    }
    const auto now = s.now_ms();
    // Another issuer is signing this application now, or was and never came back.
    if (const auto left = tx.issuance().reserved_for(a->id); !left.empty()) {
      if (left.front().reserved_at >= now - kReservationLeaseMs) {
        return std::unexpected(review_failure(ReviewError::wrong_state));
      }
      abandon(tx, left, now);
    }
    auto renewed = renewed_by(tx, *a);
    if (!renewed) return std::unexpected(renewed.error());
    IssuancePlan p{*a, {}, now, std::move(*renewed)};
    const auto pickup_expires =
        now + static_cast<store::Millis>(s.config.pickup_valid_days) * 86'400'000;
    // A renewal keeps each certificate's terminal; new ones take the smallest free numbers.
    std::vector<std::string> terminals;
    if (p.renewed.empty()) {
      terminals = free_terminals(tx.certificates().terminals_of(a->institution_id), count);
    } else {
      for (const auto& old : p.renewed) terminals.push_back(old.terminal);
    }
    for (int i = 0; i < count; ++i) {
      const auto& key = keys[static_cast<std::size_t>(i)];
      store::IssuanceReservation r;
      r.application_id = a->id;
      r.position = i + 1;
      r.public_key_der = key.public_key_der;
      r.reserved_at = now;
      auto& c = r.planned;
      c.institution_id = a->institution_id;
      c.application_id = a->id;
      if (p.renewed.empty()) {
        c.issuance_number = fmt::format("{}-{:02d}", a->number, i + 1);
      } else {
        c.issuance_number = p.renewed[static_cast<std::size_t>(i)].issuance_number;
        c.generation = p.renewed[static_cast<std::size_t>(i)].generation + 1;
      }
      c.terminal = terminals[static_cast<std::size_t>(i)];
      c.spki_sha256 = key.spki_sha256;
      c.key_source = key.sealed_key ? store::KeySource::generated : store::KeySource::csr;
      c.sealed_key = key.sealed_key;
      c.status = domain::CertificateState::issued;
      c.pickup_code_hash = key.pickup_code_hash;
      c.sealed_pickup_code = key.sealed_pickup_code;
      c.pickup_expires_at = pickup_expires;
      c.issued_by = who.operator_id;
      c.issued_at = now;
      for (int attempt = 1;; ++attempt) {
        c.serial_hex = pki::random_serial_hex();
        if (const auto id = tx.issuance().try_reserve(r)) {
          r.id = *id;
          break;
        }
        // Another issuer reserved this position meanwhile (an engine with parallel writers);
        // else the serial was taken and another is drawn.
        if (tx.issuance().reserved_for(a->id).size() > static_cast<std::size_t>(i))
          return std::unexpected(review_failure(ReviewError::wrong_state));
        if (attempt == kSerialAttempts)
          throw std::runtime_error("issuance: no free serial after several draws");
      }
      tx.audit().append_audit(
          {who.audit_name(), "certificate.reserve", c.issuance_number,
           audit_detail(
               {{"application", a->number}, {"serial", c.serial_hex}, {"terminal", c.terminal}})},
          now);
      p.reservations.push_back(std::move(r));
    }
    return p;
  });
  if (!plan) return std::unexpected(plan.error());

  // Step 2: sign, outside any transaction (up to 99 signatures, possibly on an HSM): the writer
  // lock is free meanwhile, and every serial signed is in the database already.
  std::vector<store::CertificateRecord> signed_certs;
  try {
    const auto& a = plan->application;
    const auto name = util::nfkc(a.institution_name).text;
    for (const auto& r : plan->reservations) {
      const pki::TerminalSubject subject{a.institution_code, name, r.planned.terminal,
                                         r.planned.issuance_number};
      const auto cert = s.ca->issuing().issue(subject, r.public_key_der, profile,
                                              r.planned.serial_hex, time_of(plan->reserved_at));
      store::CertificateRecord c = r.planned;
      c.subject = cert.subject;
      c.der = cert.der;
      c.issuer_key_id = cert.issuer_key_id_hex;
      c.not_before = millis_of(cert.not_before);
      c.not_after = millis_of(cert.not_after);
      signed_certs.push_back(std::move(c));
    }
  } catch (...) {
    abandon_now(s, plan->reservations);
    throw;
  }

  // Step 3: store the certificates; the application is 発行済 and its letter waits to be printed.
  auto stored = [&] {
    try {
      // Durable (synchronous=FULL, synchronous_commit=on): the certificates are handed out once
      // this commits, so a power cut must not take them back; the flush covers step 1's
      // reservations as well, committed before on the same log.
      return s.db.write(store::Durability::full,
                        [&](store::WriteTx& tx) -> Result<std::vector<IssuedTerminal>> {
                          return store_signed(s, tx, who, *plan, signed_certs);
                        });
    } catch (...) {
      abandon_now(s, plan->reservations);
      throw;
    }
  }();
  if (!stored) abandon_now(s, plan->reservations);
  return stored;
}

int resolve_interrupted_issuance(const Services& s) {
  return s.db.write([&](store::WriteTx& tx) {
    const auto now = s.now_ms();
    return abandon(tx, tx.issuance().reserved_before(now - kReservationLeaseMs), now);
  });
}

}  // namespace onshi::app
