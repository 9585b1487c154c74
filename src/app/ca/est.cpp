// EST: enrolment through the letter's pickup, server key generation, and re-enrolment by the
// current certificate. Every certificate is signed by pickup's replace_with_csr or by
// reissue_certificate (serial reserved first, signing outside any transaction); this file only
// decides which, and records what it hands over.
#include "app/ca/est.hpp"

#include "app/ca/certificate_authority.hpp"
#include "app/ca/pickup_mail.hpp"
#include "app/ca/reissue.hpp"
#include "domain/certificate_state.hpp"
#include "pki/certs_only.hpp"
#include "pki/csr.hpp"
#include "pki/est.hpp"
#include "pki/issuing_ca.hpp"
#include "util/secrets.hpp"

namespace onshi::app {
namespace {

Failure failure(FailureCode code, std::string key) {
  return Failure::of(code, std::move(key));
}

Failure unavailable() {
  return failure(FailureCode::unavailable, "pickup.unavailable");
}

Failure bad_csr(std::string key) {
  return Failure::invalid({{"csr", std::move(key)}}, "pickup.bad_csr");
}

// pki/'s refusal as the catalogue's key; EST takes DER only (web/ decoded the base64), so an
// unreadable request gets EST's message rather than the page's, which mentions PEM.
std::string csr_key(pki::CsrError e) {
  if (e == pki::CsrError::unreadable || e == pki::CsrError::more_than_one) {
    return "est.csr_unreadable";
  }
  return "csr." + std::string(pki::csr_error_name(e));
}

// Records the download while the pickup is still open and `c` still the number's current
// certificate (a page or another client may have closed or replaced it since the pair opened).
std::string certs_only(const std::string& der) {
  return pki::certs_only_pkcs7({der});
}

// Why the presented certificate may not re-enrol, or nothing when it may.
std::optional<Failure> reenroll_refusal(const Services& s, const EstPeer& peer,
                                        const std::optional<store::CertificateRecord>& c) {
  const auto forbidden = [](std::string key) { return failure(FailureCode::forbidden, key); };
  // Byte for byte the certificate stored: one this CA issued, whatever the TLS layer accepted.
  if (!c || c->der != peer.certificates.front()) return forbidden("est.not_ours");
  if (c->revoked_at || c->status == domain::CertificateState::revoked) {
    return forbidden("est.revoked");
  }
  if (s.now_ms() >= c->not_after || c->status == domain::CertificateState::expired) {
    return forbidden("est.expired");
  }
  if (!peer.verified) return forbidden("est.not_ours");
  // The older generation of a renewal stays valid until it expires, but only the newest renews:
  // else one certificate, once copied, could be renewed again and again.
  if (c->replaced_at) return forbidden(c->renewed ? "est.renewed" : "est.revoked");
  return std::nullopt;
}

}  // namespace

Result<std::string> est_cacerts(const Services& s) {
  if (!s.ca) return std::unexpected(unavailable());
  return pki::certs_only_pkcs7({s.ca->issuing().issuing_der(), s.ca->issuing().root_der()});
}

Result<std::string> est_csrattrs(const Services& s) {
  if (!s.ca) return std::unexpected(unavailable());
  return pki::csr_attributes_der(s.ca->profile().generated_key);
}

Result<EstEnrolled> est_simpleenroll(const Services& s, const PickupAttempt& attempt,
                                     std::string_view csr_der) {
  if (!s.ca) return std::unexpected(unavailable());
  auto grant = open_pickup(s, attempt);
  if (!grant) return std::unexpected(grant.error());
  const auto checked = pki::check_csr(csr_der);
  if (!checked) return std::unexpected(bad_csr(csr_key(checked.error())));

  if (grant->replaceable()) {
    auto replaced = replace_with_csr(s, *grant, csr_der, attempt.client_address, "est-enroll");
    if (!replaced) return std::unexpected(replaced.error());
    return EstEnrolled{replaced->grant.certificate, certs_only(replaced->der)};
  }
  const auto& c = grant->certificate;
  if (c.key_source == store::KeySource::generated) {
    return std::unexpected(failure(FailureCode::conflict, "pickup.not_replaceable"));
  }
  // The certificate of this very key again: a client that lost the answer asks once more.
  if (util::sha256_hex(checked->public_key_der) != c.spki_sha256) {
    return std::unexpected(failure(FailureCode::conflict, "est.other_key"));
  }
  if (auto recorded = record_download_if_open(s, c, "est-enroll", attempt.client_address);
      !recorded) {
    return std::unexpected(recorded.error());
  }
  return EstEnrolled{c, certs_only(c.der)};
}

Result<EstServerKey> est_serverkeygen(const Services& s, const PickupAttempt& attempt,
                                      std::string_view csr_der) {
  if (!s.ca) return std::unexpected(unavailable());
  auto grant = open_pickup(s, attempt);
  if (!grant) return std::unexpected(grant.error());
  if (!csr_der.empty()) {
    const auto checked = pki::check_csr(csr_der);
    // Its key is not the one certified, so only a request that is none at all is refused.
    if (!checked && (checked.error() == pki::CsrError::unreadable ||
                     checked.error() == pki::CsrError::more_than_one)) {
      return std::unexpected(bad_csr(csr_key(checked.error())));
    }
  }
  const auto& c = grant->certificate;
  if (!grant->generated_key()) {
    return std::unexpected(failure(FailureCode::conflict, "est.not_generated"));
  }
  if (!c.sealed_key) return std::unexpected(failure(FailureCode::conflict, "pickup.closed"));
  std::string key = s.ca->issuing().private_key_pkcs8(c.der, *c.sealed_key);
  if (auto recorded = record_download_if_open(s, c, "est-serverkeygen", attempt.client_address);
      !recorded) {
    return std::unexpected(recorded.error());
  }
  return EstServerKey{c, std::move(key), certs_only(c.der)};
}

Result<EstEnrolled> est_simplereenroll(const Services& s, const EstPeer& peer,
                                       std::string_view csr_der, std::string_view client_address) {
  if (!s.ca) return std::unexpected(unavailable());
  if (peer.certificates.empty()) {
    return std::unexpected(failure(FailureCode::unauthenticated, "est.no_client_certificate"));
  }
  const auto facts = pki::read_certificate(peer.certificates.front());
  std::optional<store::CertificateRecord> c;
  if (facts) {
    s.db.read([&](store::ReadTx& tx) {
      c = tx.certificates().find_certificate_by_serial(facts->serial_hex);
    });
  }
  if (auto refused = reenroll_refusal(s, peer, c)) return std::unexpected(*refused);

  const auto checked = pki::check_csr(csr_der);
  if (!checked) return std::unexpected(bad_csr(csr_key(checked.error())));
  // RFC 7030 4.2.2: the same Subject and SubjectAltName as the certificate being renewed.
  if (!pki::same_name(checked->subject_der, facts->subject_der) ||
      checked->subject_alt_name_der != facts->subject_alt_name_der) {
    return std::unexpected(bad_csr("est.subject_differs"));
  }
  if (checked->public_key_der == facts->public_key_der) {
    return std::unexpected(bad_csr("est.same_key"));
  }
  auto renewed = reissue_certificate(s, {*c, checked->public_key_der, ReissueKind::renew, "est",
                                         std::string(client_address), "est-reenroll"});
  if (!renewed) {
    // Another re-enrolment of this certificate got there first.
    if (renewed.error().key == "pickup.not_replaceable") {
      return std::unexpected(failure(FailureCode::forbidden, "est.renewed"));
    }
    return std::unexpected(renewed.error());
  }
  return EstEnrolled{*renewed, certs_only(renewed->der)};
}

}  // namespace onshi::app
