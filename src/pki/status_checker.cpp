// The relying party's status check: chain, then OCSP, then CRLs, with answers cached per
// certificate so that the responder is asked once per max_age, not once per request.
#include <openssl/evp.h>

#include <mutex>
#include <unordered_map>

#include "pki/certificate_status_impl.hpp"

namespace onshi::pki {
namespace {

// Every entry is a certificate of a trusted CA (nothing is cached before its chain verified), so
// the bound only guards memory against a very large installation; past it the stale ones go, then
// all.
constexpr std::size_t kMaxEntries = 200'000;
// How long a responder's failure stands for its answer (at most max_age).
constexpr std::chrono::seconds kFailureMemory{3};

std::string sha256_of(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), md, &size, EVP_sha256(), nullptr) != 1)
    ossl::fail("SHA-256");
  return {reinterpret_cast<const char*>(md), size};
}

}  // namespace

struct StatusChecker::Impl {
  Impl(TrustAnchors a, Options o) : anchors(std::move(a)), options(o), crls(o.max_age) {}

  struct Entry {
    Result result;
    TimePoint fresh_until;
  };
  TrustAnchors anchors;
  Options options;
  CrlCache crls;
  std::mutex mutex;
  std::unordered_map<std::string, Entry> entries;  // by SHA-256 of the certificate's DER
  // Responders that just failed, by URL, with why: not asked again until then, so that a dead
  // one costs one timeout per few seconds, not one per request on every worker thread.
  std::unordered_map<std::string, std::pair<TimePoint, std::string>> failed_responders;

  std::optional<std::string> recent_failure(const std::string& url, TimePoint now) {
    const std::lock_guard lock(mutex);
    const auto it = failed_responders.find(url);
    if (it == failed_responders.end() || now >= it->second.first) return std::nullopt;
    return it->second.second;
  }
  void responder_failed(const std::string& url, const std::string& why, TimePoint now) {
    const std::lock_guard lock(mutex);
    if (failed_responders.size() > 64) failed_responders.clear();  // URLs of our CAs only
    failed_responders.insert_or_assign(
        url, std::pair{now + std::min<std::chrono::seconds>(options.max_age, kFailureMemory), why});
  }

  void remember(const std::string& key, const Result& result, TimePoint fresh_until,
                TimePoint now) {
    const std::lock_guard lock(mutex);
    if (entries.size() >= kMaxEntries) {
      std::erase_if(entries, [&](const auto& e) { return e.second.fresh_until <= now; });
      if (entries.size() >= kMaxEntries) entries.clear();
    }
    entries.insert_or_assign(key, Entry{result, fresh_until});
  }
};

StatusChecker::StatusChecker(TrustAnchors anchors, Options options)
    : impl_(std::make_unique<Impl>(std::move(anchors), options)) {}
StatusChecker::~StatusChecker() = default;
const TrustAnchors& StatusChecker::anchors() const {
  return impl_->anchors;
}

StatusChecker::Result StatusChecker::check(const std::vector<std::string>& presented,
                                           TimePoint now) {
  Result result;
  if (presented.empty()) {
    result.chain.problem = ChainProblem::no_certificate;
    return result;
  }
  const std::string key = sha256_of(presented.front());
  bool seen = false;
  {
    const std::lock_guard lock(impl_->mutex);
    if (const auto it = impl_->entries.find(key); it != impl_->entries.end()) {
      if (now < it->second.fresh_until) {
        ++counters_.cache_hits;
        Result hit = it->second.result;
        hit.from_cache = true;
        return hit;
      }
      seen = true;
    }
  }

  // Described first: a refusal's log line names the certificate as well as a good answer does.
  result.identity = describe_certificate(presented.front());
  result.chain = impl_->anchors.verify(presented, now);
  if (!result.chain.ok()) return result;

  const auto& o = impl_->options;
  std::string ocsp_failure;
  if (o.use_ocsp) {
    const std::string url = result.identity ? result.identity->ocsp_url : std::string();
    if (auto recent = impl_->recent_failure(url, now)) {
      result.status.state = RevocationState::unavailable;
      ocsp_failure = std::move(*recent);
    } else {
      ++counters_.ocsp_queries;
      // A nonce on the first check of a certificate proves the answer is fresh; refreshes go
      // without, so that a responder may answer them from its pre-produced responses (RFC 5019).
      result.status = query_ocsp(impl_->anchors, result.chain.chain, /*nonce=*/!seen, o.fetch, now);
      if (result.status.state == RevocationState::unavailable) {
        ++counters_.ocsp_failures;
        ocsp_failure = "OCSP " + result.status.url + ": " + result.status.detail;
        impl_->responder_failed(url, ocsp_failure, now);
      }
    }
  }
  if ((!o.use_ocsp || result.status.state == RevocationState::unavailable) && o.use_crl) {
    ++counters_.crl_checks;
    result.status = check_by_crl(impl_->anchors, result.chain.chain, &impl_->crls, o.fetch, now);
    if (!ocsp_failure.empty()) {
      result.status.detail = result.status.state == RevocationState::unavailable
                                 ? ocsp_failure + "; " + result.status.detail
                                 : ocsp_failure + "; answered by the CRL";
    }
  } else if (result.status.state != RevocationState::unavailable) {
    // OCSP answered for the certificate alone; the issuing CA above it is the ARL's to answer.
    const StatusAnswer ca =
        check_issuing_ca(impl_->anchors, result.chain.chain, &impl_->crls, o.fetch, now);
    if (ca.state != RevocationState::good) {
      result.status.state = ca.state;
      result.status.detail = ca.detail;
      result.status.issuing_ca_revoked = ca.issuing_ca_revoked;
      if (ca.issuing_ca_revoked) {
        result.status.revoked_at = ca.revoked_at;
        result.status.reason = ca.reason;
      }
    }
    if (ca.refetch_at) result.status.refetch_at = ca.refetch_at;
  }
  if (result.status.issuing_ca_revoked) {
    result.chain.problem = ChainProblem::revoked_ca;
    result.chain.detail = result.status.detail;
  }
  if (result.status.state == RevocationState::unavailable) return result;

  TimePoint fresh_until = now + o.max_age;
  if (result.status.next_update) fresh_until = std::min(fresh_until, *result.status.next_update);
  if (result.status.refetch_at) fresh_until = std::min(fresh_until, *result.status.refetch_at);
  if (result.identity) fresh_until = std::min(fresh_until, result.identity->not_after);
  impl_->remember(key, result, fresh_until, now);
  return result;
}

}  // namespace onshi::pki
