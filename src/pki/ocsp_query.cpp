// A relying party's OCSP query (RFC 6960, and RFC 5019's profile for the transport): one
// certificate by SHA-1 CertID, POSTed to the URL in its AIA; the answer believed only after
// OpenSSL verified its signer and its times.
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>

#include "pki/certificate_status_impl.hpp"
#include "pki/http_client.hpp"

namespace onshi::pki {
namespace {

using OcspRequest = std::unique_ptr<OCSP_REQUEST, ossl::Deleter<OCSP_REQUEST_free>>;
using OcspResponse = std::unique_ptr<OCSP_RESPONSE, ossl::Deleter<OCSP_RESPONSE_free>>;
using OcspBasic = std::unique_ptr<OCSP_BASICRESP, ossl::Deleter<OCSP_BASICRESP_free>>;
using OcspCertId = std::unique_ptr<OCSP_CERTID, ossl::Deleter<OCSP_CERTID_free>>;

// RFC 5019 2.2.4 asks clients to allow for clock skew; five minutes, as `openssl ocsp` does.
constexpr long kLeewaySeconds = 300;

StatusAnswer unavailable(StatusAnswer answer, std::string detail) {
  answer.state = RevocationState::unavailable;
  answer.detail = std::move(detail);
  const std::string queue = ossl::take_errors();
  if (!queue.empty()) answer.detail.append(" (").append(queue).append(")");
  return answer;
}

std::string request_der(OCSP_REQUEST* req) {
  const int size = i2d_OCSP_REQUEST(req, nullptr);
  if (size <= 0) return {};
  std::string der(static_cast<std::size_t>(size), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  i2d_OCSP_REQUEST(req, &out);
  return der;
}

}  // namespace

StatusAnswer query_ocsp(const TrustAnchors& anchors, const std::vector<std::string>& chain,
                        bool nonce, const FetchOptions& options, TimePoint now) {
  StatusAnswer answer;
  answer.source = "ocsp";
  auto certs = parse_chain(chain);
  if (!certs || certs->size() < 2) return unavailable(answer, "no verified chain to ask about");
  X509* leaf = (*certs)[0].get();
  X509* issuer = (*certs)[1].get();
  answer.url = first_access_uri(leaf, NID_ad_OCSP);
  if (answer.url.empty()) return unavailable(answer, "the certificate names no OCSP responder");

  OcspCertId id(OCSP_cert_to_id(EVP_sha1(), leaf, issuer));
  const OcspRequest req(OCSP_REQUEST_new());
  if (!id || !req) return unavailable(answer, "cannot build the OCSP request");
  OcspCertId id_in_request(OCSP_CERTID_dup(id.get()));
  if (!id_in_request || OCSP_request_add0_id(req.get(), id_in_request.get()) == nullptr)
    return unavailable(answer, "cannot build the OCSP request");
  (void)id_in_request.release();  // the request owns it now
  if (nonce && OCSP_request_add1_nonce(req.get(), nullptr, -1) != 1)
    return unavailable(answer, "cannot add a nonce");

  const auto fetched = http_fetch(HttpRequest{.method = "POST",
                                              .url = answer.url,
                                              .content_type = "application/ocsp-request",
                                              .body = request_der(req.get()),
                                              .headers = {"Accept: application/ocsp-response"},
                                              .timeout = options.timeout,
                                              .max_response_bytes = options.max_ocsp_bytes,
                                              .trusted_ca_pem = {},
                                              .client_cert_pem = {},
                                              .client_key_pem = {}});
  if (!fetched)
    return unavailable(answer, fmt::format("{}: {}", http_failure_name(fetched.error().failure),
                                           fetched.error().detail));
  if (fetched->status != 200)
    return unavailable(answer, fmt::format("the responder answered HTTP {}", fetched->status));

  const auto* p = reinterpret_cast<const unsigned char*>(fetched->body.data());
  const OcspResponse resp(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(fetched->body.size())));
  if (!resp) return unavailable(answer, "the answer is no OCSP response");
  const int status = OCSP_response_status(resp.get());
  if (status != OCSP_RESPONSE_STATUS_SUCCESSFUL)
    return unavailable(answer,
                       fmt::format("the responder said {}", OCSP_response_status_str(status)));
  const OcspBasic basic(OCSP_response_get1_basic(resp.get()));
  if (!basic) return unavailable(answer, "the response has no basic response");

  // The signer: the issuing CA itself, or a responder certificate it issued for OCSPSigning,
  // verified to the trusted root with the chain's certificates as help.
  const ossl::CertStack helpers(sk_X509_new_null());
  if (!helpers) return unavailable(answer, "out of memory");
  for (const auto& c : *certs) {
    if (X509_up_ref(c.get()) != 1 || sk_X509_push(helpers.get(), c.get()) <= 0)
      return unavailable(answer, "out of memory");
  }
  if (OCSP_basic_verify(basic.get(), helpers.get(), anchors.impl().store.get(), 0) != 1)
    return unavailable(answer, "the response's signature does not verify");
  if (nonce && OCSP_check_nonce(req.get(), basic.get()) != 1)
    return unavailable(answer, "the response does not carry our nonce back");

  int cert_status = -1, reason = -1;
  ASN1_GENERALIZEDTIME *revoked_at = nullptr, *this_update = nullptr, *next_update = nullptr;
  if (OCSP_resp_find_status(basic.get(), id.get(), &cert_status, &reason, &revoked_at, &this_update,
                            &next_update) != 1)
    return unavailable(answer, "the response is not about this certificate");
  // RFC 5019 2.2.4: a response without nextUpdate could be replayed for ever once no nonce binds
  // it (refreshes go without); onshi's responder always sets one.
  if (next_update == nullptr) return unavailable(answer, "the response has no nextUpdate");
  if (OCSP_check_validity(this_update, next_update, kLeewaySeconds, -1) != 1)
    return unavailable(answer, "the response is not current (thisUpdate/nextUpdate)");
  answer.this_update = ossl::to_time_point(this_update);
  if (answer.this_update && *answer.this_update > now + std::chrono::seconds(kLeewaySeconds))
    return unavailable(answer, "the response is from the future");
  answer.next_update = ossl::to_time_point(next_update);
  switch (cert_status) {
    case V_OCSP_CERTSTATUS_GOOD:
      answer.state = RevocationState::good;
      break;
    case V_OCSP_CERTSTATUS_REVOKED:
      answer.state = RevocationState::revoked;
      if (revoked_at != nullptr) answer.revoked_at = ossl::to_time_point(revoked_at);
      answer.reason = crl_reason_name(reason);
      break;
    default:
      answer.state = RevocationState::unknown;
      answer.detail = "the responder does not know this certificate";
      break;
  }
  ERR_clear_error();
  return answer;
}

}  // namespace onshi::pki
