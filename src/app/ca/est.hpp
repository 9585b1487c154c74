#pragma once
// EST (RFC 7030) for vendors' tools: what /.well-known/est/ answers, as DER; web/ wraps it in
// base64 and MIME. Enrolment with the notice letter's 発行番号 and 取得コード (HTTP Basic) goes
// through the pickup of pickup.hpp, so that its lock, throttle, window and records are the page's;
// re-enrolment is authenticated by the terminal's current certificate over mutual TLS.
#include <string>
#include <string_view>
#include <vector>

#include "app/ca/pickup.hpp"
#include "app/core/services.hpp"
#include "store/records.hpp"

namespace onshi::app {

// /cacerts: the issuing and root CA certificates as PKCS#7 certs-only DER (RFC 7030 4.1.3).
// unavailable pickup.unavailable without a CA.
Result<std::string> est_cacerts(const Services& s);

// /csrattrs: the DER CsrAttrs (RFC 7030 4.5.2) naming the key the terminal profile generates
// (pki.generated_key): key type, curve and signature algorithm.
Result<std::string> est_csrattrs(const Services& s);

// What enrolment answers: the certificate, and the certs-only PKCS#7 that carries it alone
// (RFC 7030 4.2.3: only the certificate issued; the chain is /cacerts').
struct EstEnrolled {
  store::CertificateRecord certificate;
  std::string pkcs7_der;
};

// /simpleenroll with the letter's pair (open_pickup's refusals apply) and a DER PKCS#10:
// - a generated key nobody downloaded: the CSR's key replaces it (replace_with_csr, recorded as
//   est-enroll), so that the key never leaves the terminal;
// - a certificate for a CSR's key (issued so, or replaced so before): the same certificate again
//   when the request's key is that key, recorded as a download, for as long as the code works, as
//   the page lets a file be downloaded again; est.other_key (conflict) for any other key;
// - a generated key already downloaded: pickup.not_replaceable.
// A bad request: invalid with field csr (csr.* keys).
Result<EstEnrolled> est_simpleenroll(const Services& s, const PickupAttempt& attempt,
                                     std::string_view csr_der);

// /serverkeygen: the key the CA generated for the number's certificate as unencrypted PKCS#8 DER
// (TLS protects it; RFC 7030 4.4.2) with the certificate, recorded as est-serverkeygen.
// `csr_der` is what the client sent: RFC 7030 makes it send a request, whose key is not used
// here, so only an unreadable one is refused (invalid, csr.unreadable); it may be empty.
// est.not_generated (conflict) for a certificate issued from a CSR.
struct EstServerKey {
  store::CertificateRecord certificate;
  std::string pkcs8_der;
  std::string pkcs7_der;
};
Result<EstServerKey> est_serverkeygen(const Services& s, const PickupAttempt& attempt,
                                      std::string_view csr_der);

// The TLS client as the listener saw it: its chain (DER, its own certificate first) and whether
// the chain verified against the CA.
struct EstPeer {
  std::vector<std::string> certificates;
  bool verified = false;
};

// /simplereenroll (RFC 7030 4.2.2): a new certificate for the same terminal, 発行番号 and subject
// for a new key, the presented one marked renewed (it stays valid until it expires). Refused:
// est.no_client_certificate (unauthenticated); est.not_ours (forbidden: not a certificate this CA
// issued as the database holds it, or a chain that did not verify); est.revoked, est.expired,
// est.renewed (forbidden: already re-enrolled, re-enrol with the newer one); invalid with field
// csr for a bad request (csr.*), est.subject_differs (subject or subjectAltName not the
// certificate's), est.same_key (the key of the presented certificate), csr.duplicate_key (a key
// certified before). Recorded as est-reenroll, audited certificate.renew, mailed.
Result<EstEnrolled> est_simplereenroll(const Services& s, const EstPeer& peer,
                                       std::string_view csr_der, std::string_view client_address);

}  // namespace onshi::app
