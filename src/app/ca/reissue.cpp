#include "app/ca/reissue.hpp"

#include <fmt/format.h>

#include <chrono>

#include "app/billing/charges.hpp"
#include "app/ca/certificate_authority.hpp"
#include "app/ca/pickup_mail.hpp"
#include "app/core/outbox.hpp"
#include "domain/certificate_state.hpp"
#include "pki/issuing_ca.hpp"
#include "pki/serial.hpp"
#include "pki/terminal_profile.hpp"
#include "util/secrets.hpp"
#include "util/text.hpp"

namespace onshi::app {
namespace {

constexpr int kSerialAttempts = 5;

Failure not_replaceable() {
  return Failure::of(FailureCode::conflict, "pickup.not_replaceable");
}

// The position of the certificate in its application: "C-00000123-07" is the 7th.
int position_of(const std::string& issuance_number) {
  const auto dash = issuance_number.rfind('-');
  return dash == std::string::npos ? 0 : std::stoi(issuance_number.substr(dash + 1));
}

bool still_replaceable(const store::CertificateRecord& now, const ReissueRequest& r) {
  if (now.serial_hex != r.current.serial_hex || now.replaced_at || now.revoked_at) return false;
  if (r.kind == ReissueKind::supersede) return !now.picked_up_at;
  return now.status == domain::CertificateState::active;
}

void abandon(const Services& s, store::Id reservation_id) noexcept {
  try {
    s.db.write([&](store::WriteTx& tx) {
      tx.issuance().settle_reservation(reservation_id, false, s.now_ms());
    });
  } catch (...) {
    // The sweeper (resolve_interrupted_issuance) abandons it after the lease.
  }
}

}  // namespace

Result<store::CertificateRecord> reissue_certificate(const Services& s, const ReissueRequest& r) {
  if (!s.ca) return std::unexpected(Failure::of(FailureCode::unavailable, "pickup.unavailable"));
  const auto spki = util::sha256_hex(r.public_key_der);

  // Step 1: reserve the serial, with what is to be signed.
  struct Plan {
    store::IssuanceReservation reservation;
    store::CertificateApplicationRecord application;
  };
  auto plan = s.db.write([&](store::WriteTx& tx) -> Result<Plan> {
    const auto now_c = tx.certificates().find_current_certificate(r.current.issuance_number);
    if (!now_c || !still_replaceable(*now_c, r)) return std::unexpected(not_replaceable());
    if (tx.certificates().public_key_certified(spki)) {
      return std::unexpected(Failure::invalid({{"csr", "csr.duplicate_key"}}, "pickup.bad_csr"));
    }
    auto a =
        tx.certificate_applications().find_certificate_application_by_id(now_c->application_id);
    if (!a) throw std::logic_error("reissue: a certificate without its application");
    const auto now = s.now_ms();
    Plan p{{}, *a};
    auto& res = p.reservation;
    res.application_id = a->id;
    res.position = position_of(now_c->issuance_number);
    res.public_key_der = r.public_key_der;
    res.reserved_at = now;
    auto& c = res.planned;
    c = *now_c;
    c.id = 0;
    c.generation = now_c->generation + 1;
    c.spki_sha256 = spki;
    c.key_source = store::KeySource::csr;
    c.sealed_key.reset();
    c.sealed_pickup_code.reset();
    c.pickup_failures = 0;
    c.pickup_locked_at.reset();
    c.revoked_at.reset();
    c.revocation_reason.reset();
    c.replaced_at.reset();
    c.issued_by.reset();
    c.issued_at = now;
    // Its holder has it: the first download is now, and re-enrolment has no code to keep open.
    c.status = domain::CertificateState::active;
    c.picked_up_at = now;
    c.pickup_closed_at.reset();
    c.pickup_closed_how.reset();
    if (r.kind == ReissueKind::renew) {
      c.pickup_code_hash.clear();
      c.pickup_closed_at = now;
      c.pickup_closed_how = store::PickupClosed::replaced;
    }
    for (int attempt = 1;; ++attempt) {
      c.serial_hex = pki::random_serial_hex();
      if (const auto id = tx.issuance().try_reserve(res)) {
        res.id = *id;
        break;
      }
      // Another replacement of this number is being signed right now.
      if (!tx.issuance().reserved_for(a->id).empty()) return std::unexpected(not_replaceable());
      if (attempt == kSerialAttempts)
        throw std::runtime_error("reissue: no free serial after several draws");
    }
    tx.audit().append_audit(
        {r.actor, "certificate.reserve", c.issuance_number,
         audit_detail({{"serial", c.serial_hex}, {"replaces", now_c->serial_hex}})},
        now);
    return p;
  });
  if (!plan) return std::unexpected(plan.error());

  // Step 2: sign, outside any transaction.
  auto c = plan->reservation.planned;
  try {
    const auto& a = plan->application;
    const pki::TerminalSubject subject{a.institution_code, util::nfkc(a.institution_name).text,
                                       c.terminal, c.issuance_number};
    const auto cert = s.ca->issuing().issue(
        subject, r.public_key_der, s.ca->profile(), c.serial_hex,
        std::chrono::system_clock::time_point{std::chrono::milliseconds{c.issued_at}});
    c.subject = cert.subject;
    c.der = cert.der;
    c.issuer_key_id = cert.issuer_key_id_hex;
    c.not_before =
        std::chrono::duration_cast<std::chrono::milliseconds>(cert.not_before.time_since_epoch())
            .count();
    c.not_after =
        std::chrono::duration_cast<std::chrono::milliseconds>(cert.not_after.time_since_epoch())
            .count();
  } catch (...) {
    abandon(s, plan->reservation.id);
    throw;
  }

  // Step 3: the old one replaced, the new one stored with its download, audit and mail.
  auto stored = [&] {
    try {
      // Durable, as 発行's (issuance.cpp): the certificate is handed out once this commits.
      return s.db.write(
          store::Durability::full, [&](store::WriteTx& tx) -> Result<store::CertificateRecord> {
            const auto now = s.now_ms();
            auto& certs = tx.certificates();
            const bool replaced = r.kind == ReissueKind::supersede
                                      ? certs.supersede_unused_certificate(r.current.id, now)
                                      : certs.mark_renewed(r.current.id, now);
            if (!replaced) return std::unexpected(not_replaceable());
            if (!tx.issuance().settle_reservation(plan->reservation.id, true, now))
              return std::unexpected(not_replaceable());
            if (!certs.try_insert_certificate(c))
              throw std::logic_error("reissue: a reserved serial or number is certified already");
            auto stored_c = certs.find_certificate_by_serial(c.serial_hex);
            if (!stored_c) throw std::logic_error("reissue: the certificate just stored is gone");
            const bool renew = r.kind == ReissueKind::renew;
            // A renewal is charged as a new certificate is (CPIPCS 9.1); the terminal's own CSR in
            // place of a generated key nobody downloaded replaces a certificate never used, free.
            if (renew) {
              record_charge(s, tx, *stored_c, plan->application, store::ChargeKind::renewal, now);
            }
            tx.audit().append_audit(
                {r.actor, renew ? "certificate.renew" : "certificate.supersede", c.issuance_number,
                 audit_detail({{"serial", c.serial_hex},
                               {renew ? "renewed" : "superseded", r.current.serial_hex},
                               {"generation", std::to_string(c.generation)},
                               {"subject", c.subject},
                               {"address", r.client_address}})},
                now);
            record_download(s, tx, *stored_c, plan->application, r.what, r.client_address, now);
            return *stored_c;
          });
    } catch (...) {
      abandon(s, plan->reservation.id);
      throw;
    }
  }();
  if (!stored) abandon(s, plan->reservation.id);
  return stored;
}

}  // namespace onshi::app
