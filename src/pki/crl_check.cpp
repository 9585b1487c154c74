// Status by CRL, as a relying party does it when the OCSP responder gives no answer: the full CRL
// of the certificate's CRL DP, the delta of its freshestCRL, the root's ARL for the issuing CA,
// all handed to X509_verify_cert with CRL checking and deltas on (RFC 5280 6.3).
#include <fmt/format.h>
#include <openssl/err.h>

#include <map>
#include <mutex>

#include "pki/certificate_status_impl.hpp"
#include "pki/http_client.hpp"

namespace onshi::pki {
namespace {

using SharedCrl = std::shared_ptr<X509_CRL>;
// sk_X509_CRL_free is a macro-made inline function; a named one can be a deleter.
void free_crl_stack(STACK_OF(X509_CRL) * s) noexcept {
  sk_X509_CRL_free(s);
}
using CrlStack = std::unique_ptr<STACK_OF(X509_CRL), ossl::Deleter<free_crl_stack>>;

SharedCrl crl_from_der(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  X509_CRL* crl = d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size()));
  if (crl == nullptr || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    X509_CRL_free(crl);
    ERR_clear_error();
    return nullptr;
  }
  return {crl, X509_CRL_free};
}

struct Fetched {
  SharedCrl crl;
  std::string etag;
  bool not_modified = false;
};

std::expected<Fetched, std::string> fetch_crl(const std::string& url, const std::string& etag,
                                              const FetchOptions& options) {
  HttpRequest request{.method = "GET",
                      .url = url,
                      .content_type = {},
                      .body = {},
                      .headers = {"Accept: application/pkix-crl"},
                      .timeout = options.timeout,
                      .max_response_bytes = options.max_crl_bytes,
                      .trusted_ca_pem = {},
                      .client_cert_pem = {},
                      .client_key_pem = {}};
  if (!etag.empty()) request.headers.push_back("If-None-Match: " + etag);
  const auto got = http_fetch(request);
  if (!got)
    return std::unexpected(
        fmt::format("{} {}: {}", url, http_failure_name(got.error().failure), got.error().detail));
  if (got->status == 304 && !etag.empty()) return Fetched{nullptr, etag, true};
  if (got->status != 200) return std::unexpected(fmt::format("{}: HTTP {}", url, got->status));
  SharedCrl crl = crl_from_der(got->body);
  if (!crl) return std::unexpected(fmt::format("{}: not a DER CRL", url));
  return Fetched{std::move(crl), got->etag, false};
}

// How long a failed fetch stands for the answer (at most max_age).
constexpr std::chrono::seconds kFailureMemory{3};

TimePoint next_update_of(const X509_CRL* crl, TimePoint fallback) {
  const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl);
  return next != nullptr ? ossl::to_time_point(next) : fallback;
}

}  // namespace

struct CrlCache::Impl {
  struct Entry {
    std::mutex mutex;  // held while this URL is fetched: one fetch per URL at a time
    SharedCrl crl;
    std::string etag;
    TimePoint fresh_until{};
    // After a failed fetch, the failure is the answer for a few seconds: requests that queue on
    // `mutex` behind a dead server then fail at once instead of each waiting out a timeout.
    std::string failure;
    TimePoint failed_until{};
  };
  std::chrono::seconds max_age;
  std::mutex mutex;  // guards `entries` only
  std::map<std::string, std::unique_ptr<Entry>, std::less<>> entries;

  struct Got {
    SharedCrl crl;
    TimePoint fresh_until;  // when it is fetched again
  };

  // The CRL at `url`, fetched again once past its nextUpdate or max_age (conditionally, by its
  // ETag, so that an unchanged full CRL costs a 304), or at once with `refetch`. A failed fetch
  // fails: a CRL past max_age is not used, so that a relying party whose CRL server is down
  // refuses instead of trusting an old list.
  std::expected<Got, std::string> get(const std::string& url, const FetchOptions& options,
                                      TimePoint now, bool refetch = false) {
    Entry* entry = nullptr;
    {
      const std::lock_guard lock(mutex);
      auto& slot = entries[url];
      if (!slot) slot = std::make_unique<Entry>();
      entry = slot.get();
    }
    const std::lock_guard lock(entry->mutex);
    if (!refetch && entry->crl && now < entry->fresh_until)
      return Got{entry->crl, entry->fresh_until};
    if (!entry->failure.empty() && now < entry->failed_until)
      return std::unexpected(entry->failure);
    auto fetched = fetch_crl(url, entry->crl && !refetch ? entry->etag : std::string(), options);
    if (!fetched) {
      entry->crl.reset();
      entry->failure = fetched.error();
      entry->failed_until = now + std::min<std::chrono::seconds>(max_age, kFailureMemory);
      return std::unexpected(fetched.error());
    }
    entry->failure.clear();
    if (!fetched->not_modified) {
      entry->crl = std::move(fetched->crl);
      entry->etag = std::move(fetched->etag);
    }
    entry->fresh_until = std::min(now + max_age, next_update_of(entry->crl.get(), now + max_age));
    return Got{entry->crl, entry->fresh_until};
  }
};

CrlCache::CrlCache(std::chrono::seconds max_age) : impl_(std::make_unique<Impl>()) {
  impl_->max_age = max_age;
}
CrlCache::~CrlCache() = default;

namespace {

// The entry for `cert` in `crl`, if any: its date and reason.
bool read_entry(X509_CRL* crl, X509* cert, StatusAnswer& answer) {
  X509_REVOKED* entry = nullptr;
  if (crl == nullptr || X509_CRL_get0_by_cert(crl, &entry, cert) != 1 || entry == nullptr)
    return false;
  answer.revoked_at = ossl::to_time_point(X509_REVOKED_get0_revocationDate(entry));
  if (auto* reason = static_cast<ASN1_ENUMERATED*>(
          X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, nullptr, nullptr))) {
    answer.reason = crl_reason_name(static_cast<int>(ASN1_ENUMERATED_get(reason)));
    ASN1_ENUMERATED_free(reason);
  }
  return true;
}

}  // namespace

namespace {

// A CRL's cRLNumber, or a delta's BaseCRLNumber (`nid` NID_crl_number or NID_delta_crl); -1 when
// it has none or it does not fit.
long crl_number(X509_CRL* crl, int nid) {
  auto* n = static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl, nid, nullptr, nullptr));
  if (n == nullptr) return -1;
  const long value = ASN1_INTEGER_get(n);
  ASN1_INTEGER_free(n);
  return value;
}

// Whether X509_verify_cert uses `delta` beside `full` (check_delta_base in OpenSSL's x509_vfy.c):
// the same issuer, a BaseCRLNumber no newer than the full CRL's number and a number of its own
// past it. A delta that does not fit is passed over without a word, so it must not be reported as
// applied; one outside its validity fails the verification instead, and is no answer either.
bool delta_fits(X509_CRL* delta, X509_CRL* full, TimePoint now) {
  const long base = crl_number(delta, NID_delta_crl);
  const long full_number = crl_number(full, NID_crl_number);
  if (base < 0 || full_number < 0 || base > full_number) return false;
  if (crl_number(delta, NID_crl_number) <= full_number) return false;
  if (X509_NAME_cmp(X509_CRL_get_issuer(delta), X509_CRL_get_issuer(full)) != 0) return false;
  const ASN1_TIME* next = X509_CRL_get0_nextUpdate(delta);
  return ossl::to_time_point(X509_CRL_get0_lastUpdate(delta)) <= now &&
         (next == nullptr || now < ossl::to_time_point(next));
}

// Fetches for one check: from the cache when there is one, remembering when the soonest of the
// CRLs used is fetched again (a status answered from them is kept no longer).
struct CrlSource {
  CrlCache* cache;
  const FetchOptions& options;
  TimePoint now;
  TimePoint refetch_at = TimePoint::max();

  std::expected<SharedCrl, std::string> get(const std::string& url, bool refetch = false) {
    if (cache == nullptr) {
      auto fetched = fetch_crl(url, {}, options);
      if (!fetched) return std::unexpected(fetched.error());
      return fetched->crl;
    }
    auto got = cache->impl().get(url, options, now, refetch);
    if (!got) return std::unexpected(got.error());
    refetch_at = std::min(refetch_at, got->fresh_until);
    return got->crl;
  }
};

StatusAnswer unavailable_answer(StatusAnswer answer, std::string detail) {
  answer.state = RevocationState::unavailable;
  answer.detail = std::move(detail);
  ERR_clear_error();
  return answer;
}

// The revoked entry of a certificate at `depth` in the path: the leaf's in the delta or the full
// CRL, the issuing CA's in the ARL.
void read_revocation(StatusAnswer& answer, int depth, X509* leaf, X509* issuing, X509_CRL* full,
                     X509_CRL* delta, X509_CRL* arl) {
  answer.state = RevocationState::revoked;
  if (depth == 0) {
    if (!read_entry(delta, leaf, answer)) read_entry(full, leaf, answer);
  } else {
    answer.issuing_ca_revoked = true;
    answer.detail = "the issuing CA is revoked (root ARL)";
    read_entry(arl, issuing, answer);
  }
}

}  // namespace

StatusAnswer check_by_crl(const TrustAnchors& anchors, const std::vector<std::string>& chain,
                          CrlCache* cache, const FetchOptions& options, TimePoint now) {
  StatusAnswer answer;
  answer.source = "crl";
  auto certs = parse_chain(chain);
  if (!certs || certs->size() < 2)
    return unavailable_answer(answer, "no verified chain to ask about");
  X509* leaf = (*certs)[0].get();
  X509* issuing = (*certs)[1].get();
  answer.url = first_distribution_point_uri(leaf, NID_crl_distribution_points);
  if (answer.url.empty())
    return unavailable_answer(answer, "the certificate names no CRL distribution point");
  const std::string delta_url = first_distribution_point_uri(leaf, NID_freshest_crl);
  const std::string arl_url = first_distribution_point_uri(issuing, NID_crl_distribution_points);

  CrlSource source{cache, options, now};
  auto full = source.get(answer.url);
  if (!full) return unavailable_answer(answer, "CRL " + full.error());
  SharedCrl delta, arl;
  // A certificate that names a delta CRL is answered with it or not at all: without it the
  // answer could be as old as the full CRL (up to pki.crl_interval_hours).
  if (!delta_url.empty()) {
    auto got = source.get(delta_url);
    if (!got) return unavailable_answer(answer, "delta CRL " + got.error());
    delta = std::move(*got);
    // OpenSSL drops, without a word, a delta whose base is newer than the full CRL it has (RFC
    // 5280 5.2.4): a full CRL published since ours was cached. Fetch that one.
    if (crl_number(delta.get(), NID_delta_crl) > crl_number(full->get(), NID_crl_number)) {
      full = source.get(answer.url, /*refetch=*/true);
      if (!full) return unavailable_answer(answer, "CRL " + full.error());
      if (crl_number(delta.get(), NID_delta_crl) > crl_number(full->get(), NID_crl_number))
        return unavailable_answer(answer,
                                  "the delta CRL is based on a newer CRL than the one served");
    }
  }
  if (!arl_url.empty()) {
    auto got = source.get(arl_url);
    if (!got) return unavailable_answer(answer, "ARL " + got.error());
    arl = std::move(*got);
  }

  const CrlStack crls(sk_X509_CRL_new_null());  // not owning: the shared pointers keep them
  if (!crls) return unavailable_answer(answer, "out of memory");
  for (const SharedCrl* c : std::initializer_list<const SharedCrl*>{&*full, &delta, &arl})
    if (*c && sk_X509_CRL_push(crls.get(), c->get()) <= 0)
      return unavailable_answer(answer, "out of memory");

  VerifyInputs inputs;
  inputs.crls = crls.get();
  inputs.flags =
      X509_V_FLAG_CRL_CHECK | X509_V_FLAG_USE_DELTAS | (arl ? X509_V_FLAG_CRL_CHECK_ALL : 0UL);
  std::vector<ossl::Cert> rest;
  for (std::size_t i = 1; i < certs->size(); ++i) rest.push_back(std::move((*certs)[i]));
  const VerifyOutcome outcome = run_verify(anchors.impl(), leaf, rest, now, inputs);

  answer.this_update = ossl::to_time_point(X509_CRL_get0_lastUpdate(full->get()));
  if (X509_CRL_get0_nextUpdate(full->get()) != nullptr)
    answer.next_update = ossl::to_time_point(X509_CRL_get0_nextUpdate(full->get()));
  answer.delta_applied = delta && delta_fits(delta.get(), full->get(), now);
  if (source.refetch_at != TimePoint::max()) answer.refetch_at = source.refetch_at;
  if (outcome.error == X509_V_OK) {
    answer.state = RevocationState::good;
    ERR_clear_error();
    return answer;
  }
  if (outcome.error == X509_V_ERR_CERT_REVOKED) {
    read_revocation(answer, outcome.depth, leaf, issuing, full->get(), delta.get(), arl.get());
    ERR_clear_error();
    return answer;
  }
  return unavailable_answer(answer, fmt::format("{} (depth {})", outcome.text, outcome.depth));
}

StatusAnswer check_issuing_ca(const TrustAnchors& anchors, const std::vector<std::string>& chain,
                              CrlCache* cache, const FetchOptions& options, TimePoint now) {
  StatusAnswer answer;
  answer.source = "arl";
  answer.state = RevocationState::good;
  auto certs = parse_chain(chain);
  if (!certs || certs->size() < 2)
    return unavailable_answer(answer, "no verified chain to ask about");
  X509* leaf = (*certs)[0].get();
  X509* issuing = (*certs)[1].get();
  answer.url = first_distribution_point_uri(issuing, NID_crl_distribution_points);
  if (answer.url.empty()) return answer;  // an issuing CA that names no ARL has none to check
  CrlSource source{cache, options, now};
  const auto arl = source.get(answer.url);
  if (!arl) return unavailable_answer(answer, "ARL " + arl.error());
  const CrlStack crls(sk_X509_CRL_new_null());
  if (!crls || sk_X509_CRL_push(crls.get(), arl->get()) <= 0)
    return unavailable_answer(answer, "out of memory");
  // CRL checking of the whole path with the ARL only: the leaf's missing CRL is no error here
  // (its status came from OCSP), the issuing CA's entry on the ARL is.
  VerifyInputs inputs;
  inputs.crls = crls.get();
  inputs.flags = X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
  inputs.leaf_crl_optional = true;
  std::vector<ossl::Cert> rest;
  for (std::size_t i = 1; i < certs->size(); ++i) rest.push_back(std::move((*certs)[i]));
  const VerifyOutcome outcome = run_verify(anchors.impl(), leaf, rest, now, inputs);
  if (source.refetch_at != TimePoint::max()) answer.refetch_at = source.refetch_at;
  if (outcome.error == X509_V_OK) return answer;
  if (outcome.error == X509_V_ERR_CERT_REVOKED && outcome.depth > 0) {
    read_revocation(answer, outcome.depth, leaf, issuing, nullptr, nullptr, arl->get());
    ERR_clear_error();
    return answer;
  }
  return unavailable_answer(answer, fmt::format("ARL: {} (depth {})", outcome.text, outcome.depth));
}

}  // namespace onshi::pki
