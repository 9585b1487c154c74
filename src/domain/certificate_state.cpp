#include "domain/certificate_state.hpp"

namespace onshi::domain {

using State = CertificateState;
using Error = CertificateError;

std::string_view error_key(CertificateError error) {
  switch (error) {
    case Error::not_issued:
      return "certificate.not_issued";
    case Error::already_revoked:
      return "certificate.already_revoked";
    case Error::already_expired:
      return "certificate.already_expired";
    case Error::not_yet_expired:
      return "certificate.not_yet_expired";
    case Error::reason_not_allowed:
      return "certificate.reason_not_allowed";
    case Error::unknown_reason:
      return "certificate.unknown_reason";
  }
  return "certificate.invalid";
}

std::string_view state_key(CertificateState state) {
  switch (state) {
    case State::issued:
      return "issued";
    case State::active:
      return "active";
    case State::revoked:
      return "revoked";
    case State::expired:
      return "expired";
  }
  return "";
}

std::optional<CertificateState> parse_certificate_state(std::string_view key) {
  for (const auto s : {State::issued, State::active, State::revoked, State::expired}) {
    if (state_key(s) == key) return s;
  }
  return std::nullopt;
}

std::string_view reason_key(RevocationReason reason) {
  switch (reason) {
    case RevocationReason::unspecified:
      return "unspecified";
    case RevocationReason::key_compromise:
      return "keyCompromise";
    case RevocationReason::ca_compromise:
      return "cACompromise";
    case RevocationReason::affiliation_changed:
      return "affiliationChanged";
    case RevocationReason::superseded:
      return "superseded";
    case RevocationReason::cessation_of_operation:
      return "cessationOfOperation";
    case RevocationReason::certificate_hold:
      return "certificateHold";
    case RevocationReason::remove_from_crl:
      return "removeFromCRL";
    case RevocationReason::privilege_withdrawn:
      return "privilegeWithdrawn";
    case RevocationReason::aa_compromise:
      return "aACompromise";
  }
  return "";
}

std::expected<RevocationReason, CertificateError> revocation_reason_from_code(int code) {
  if (code < 0 || code > 10 || code == 7) return std::unexpected(Error::unknown_reason);
  return static_cast<RevocationReason>(code);
}

bool revocation_reason_allowed(RevocationReason reason) {
  switch (reason) {
    case RevocationReason::unspecified:
    case RevocationReason::key_compromise:
    case RevocationReason::affiliation_changed:
    case RevocationReason::superseded:
    case RevocationReason::cessation_of_operation:
      return true;
    default:
      return false;
  }
}

namespace {
// The final states answer every request with what they are.
std::optional<Error> final_state_error(State from) {
  if (from == State::revoked) return Error::already_revoked;
  if (from == State::expired) return Error::already_expired;
  return std::nullopt;
}
}  // namespace

CertificateResult pick_up(State from, std::chrono::sys_seconds now,
                          std::chrono::sys_seconds not_after) {
  if (auto e = final_state_error(from)) return std::unexpected(*e);
  if (from != State::issued) return std::unexpected(Error::not_issued);
  if (now >= not_after) return std::unexpected(Error::already_expired);
  return State::active;
}

CertificateResult revoke(State from, RevocationReason reason) {
  if (auto e = final_state_error(from)) return std::unexpected(*e);
  if (!revocation_reason_allowed(reason)) return std::unexpected(Error::reason_not_allowed);
  return State::revoked;
}

CertificateResult expire(State from, std::chrono::sys_seconds now,
                         std::chrono::sys_seconds not_after) {
  if (auto e = final_state_error(from)) return std::unexpected(*e);
  if (now < not_after) return std::unexpected(Error::not_yet_expired);
  return State::expired;
}

}  // namespace onshi::domain
