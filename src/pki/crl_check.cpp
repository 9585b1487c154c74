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
  };
  std::chrono::seconds max_age;
  std::mutex mutex;  // guards `entries` only
  std::map<std::string, std::unique_ptr<Entry>, std::less<>> entries;

  // The CRL at `url`, fetched again once past its nextUpdate or max_age (conditionally, by its
  // ETag, so that an unchanged full CRL costs a 304). A failed fetch fails: a CRL past max_age
  // is not used, so that a relying party whose CRL server is down refuses instead of trusting
  // an old list.
  std::expected<SharedCrl, std::string> get(const std::string& url, const FetchOptions& options,
                                            TimePoint now) {
    Entry* entry = nullptr;
    {
      const std::lock_guard lock(mutex);
      auto& slot = entries[url];
      if (!slot) slot = std::make_unique<Entry>();
      entry = slot.get();
    }
    const std::lock_guard lock(entry->mutex);
    if (entry->crl && now < entry->fresh_until) return entry->crl;
    auto fetched = fetch_crl(url, entry->crl ? entry->etag : std::string(), options);
    if (!fetched) {
      entry->crl.reset();
      return std::unexpected(fetched.error());
    }
    if (!fetched->not_modified) {
      entry->crl = std::move(fetched->crl);
      entry->etag = std::move(fetched->etag);
    }
    entry->fresh_until = std::min(now + max_age, next_update_of(entry->crl.get(), now + max_age));
    return entry->crl;
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

StatusAnswer check_by_crl(const TrustAnchors& anchors, const std::vector<std::string>& chain,
                          CrlCache* cache, const FetchOptions& options, TimePoint now) {
  StatusAnswer answer;
  answer.source = "crl";
  const auto fail = [&answer](std::string detail) {
    answer.state = RevocationState::unavailable;
    answer.detail = std::move(detail);
    ERR_clear_error();
    return answer;
  };
  auto certs = parse_chain(chain);
  if (!certs || certs->size() < 2) return fail("no verified chain to ask about");
  X509* leaf = (*certs)[0].get();
  X509* issuing = (*certs)[1].get();
  answer.url = first_distribution_point_uri(leaf, NID_crl_distribution_points);
  if (answer.url.empty()) return fail("the certificate names no CRL distribution point");
  const std::string delta_url = first_distribution_point_uri(leaf, NID_freshest_crl);
  const std::string arl_url = first_distribution_point_uri(issuing, NID_crl_distribution_points);

  const auto get = [&](const std::string& url) -> std::expected<SharedCrl, std::string> {
    if (cache != nullptr) return cache->impl().get(url, options, now);
    auto fetched = fetch_crl(url, {}, options);
    if (!fetched) return std::unexpected(fetched.error());
    return fetched->crl;
  };
  const auto full = get(answer.url);
  if (!full) return fail("CRL " + full.error());
  SharedCrl delta, arl;
  // A certificate that names a delta CRL is answered with it or not at all: without it the
  // answer could be as old as the full CRL (up to pki.crl_interval_hours).
  if (!delta_url.empty()) {
    auto got = get(delta_url);
    if (!got) return fail("delta CRL " + got.error());
    delta = std::move(*got);
  }
  if (!arl_url.empty()) {
    auto got = get(arl_url);
    if (!got) return fail("ARL " + got.error());
    arl = std::move(*got);
  }

  const CrlStack crls(sk_X509_CRL_new_null());  // not owning: the shared pointers keep them
  if (!crls) return fail("out of memory");
  for (const SharedCrl* c : std::initializer_list<const SharedCrl*>{&*full, &delta, &arl})
    if (*c && sk_X509_CRL_push(crls.get(), c->get()) <= 0) return fail("out of memory");

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
  answer.delta_applied = static_cast<bool>(delta);
  if (outcome.error == X509_V_OK) {
    answer.state = RevocationState::good;
    ERR_clear_error();
    return answer;
  }
  if (outcome.error == X509_V_ERR_CERT_REVOKED) {
    answer.state = RevocationState::revoked;
    if (outcome.depth == 0) {
      if (!read_entry(delta.get(), leaf, answer)) read_entry(full->get(), leaf, answer);
    } else {
      answer.detail = "the issuing CA is revoked (root ARL)";
      read_entry(arl.get(), rest.front().get(), answer);
    }
    ERR_clear_error();
    return answer;
  }
  return fail(fmt::format("{} (depth {})", outcome.text, outcome.depth));
}

}  // namespace onshi::pki
