// Answering one OCSP request (CPIPCS 7.3).
#include "app/ca/ocsp_responder.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "app/ca/certificate_authority.hpp"
#include "app/ca/ocsp_internal.hpp"
#include "app/ca/ocsp_keys.hpp"
#include "util/secrets.hpp"

namespace onshi::app {
namespace {

using detail::Clock;

OcspReply error_reply(pki::OcspResponseStatus status, OcspOutcome outcome) {
  OcspReply r;
  r.der = pki::ocsp_error_response(status);
  r.outcome = outcome;
  return r;
}

store::OcspHashAlgorithm stored_hash(pki::OcspHash h) {
  return h == pki::OcspHash::sha256 ? store::OcspHashAlgorithm::sha256
                                    : store::OcspHashAlgorithm::sha1;
}

OcspOutcome outcome_of(const store::OcspCertificateStatus* c) {
  if (c == nullptr) return OcspOutcome::unknown;
  return c->revoked_at ? OcspOutcome::revoked : OcspOutcome::good;
}

// A stored response still answers while its refresh time has not come and it says what the
// certificate is now. The revocation deleted any that said good; the comparison keeps the answer
// right even for a revocation path that did not.
bool still_answers(const store::OcspCertificateStatus& c, store::Millis now) {
  return c.response && now >= c.response->this_update && now < c.response->refresh_at &&
         c.response->revoked == c.revoked_at.has_value();
}

std::string etag_of(std::string_view der) {
  std::string etag = "\"";
  etag.append(util::sha256_hex(der), 0, 32).append("\"");
  return etag;
}

OcspReply cacheable(std::string der, OcspOutcome outcome, store::Millis this_update,
                    store::Millis next_update, std::string etag = {}) {
  OcspReply r;
  r.etag = etag.empty() ? etag_of(der) : std::move(etag);
  r.der = std::move(der);
  r.outcome = outcome;
  r.cacheable = true;
  r.this_update = detail::at(this_update);
  r.next_update = detail::at(next_update);
  return r;
}

}  // namespace

std::string_view ocsp_outcome_name(OcspOutcome o) {
  switch (o) {
    case OcspOutcome::good:
      return "good";
    case OcspOutcome::revoked:
      return "revoked";
    case OcspOutcome::unknown:
      return "unknown";
    case OcspOutcome::several:
      return "several";
    case OcspOutcome::malformed:
      return "malformed";
    case OcspOutcome::unauthorized:
      return "unauthorized";
    case OcspOutcome::try_later:
      return "try_later";
  }
  return "unknown";
}

namespace detail {

pki::OcspAnswer answer_for(const Services& s, const pki::OcspSigner& signer,
                           const store::OcspCertificateStatus* c, std::string cert_id_der,
                           Clock::time_point now) {
  pki::OcspAnswer a;
  a.cert_id_der = std::move(cert_id_der);
  a.this_update = std::chrono::floor<std::chrono::seconds>(now);
  a.next_update = std::min(a.this_update + std::chrono::hours(s.config.ocsp_validity_hours),
                           signer.not_after());
  if (c == nullptr) {
    a.status = pki::OcspCertStatus::unknown;
  } else if (c->revoked_at) {
    a.status = pki::OcspCertStatus::revoked;
    a.revoked_at = at(*c->revoked_at);
    a.reason = c->revocation_reason.value_or(0);
  } else {
    a.status = pki::OcspCertStatus::good;
  }
  return a;
}

store::OcspStoredResponse sign_stored(const Services& s, const LoadedResponder& r,
                                      const store::OcspCertificateStatus& c,
                                      store::OcspHashAlgorithm hash, Clock::time_point now) {
  const auto h =
      hash == store::OcspHashAlgorithm::sha1 ? pki::OcspHash::sha1 : pki::OcspHash::sha256;
  const pki::OcspAnswer a = answer_for(s, *r.signer, &c, r.signer->cert_id(h, c.serial_hex), now);
  store::OcspStoredResponse out;
  out.certificate_id = c.certificate_id;
  out.hash = hash;
  out.revoked = c.revoked_at.has_value();
  out.der = r.signer->sign({a}, std::nullopt, a.this_update);
  out.this_update = ms(a.this_update);
  out.next_update = ms(a.next_update);
  out.refresh_at = out.this_update + (out.next_update - out.this_update) / 2;
  out.responder_id = r.id;
  return out;
}

}  // namespace detail

OcspReply answer_ocsp(const Services& s, std::string_view request_der) {
  const auto max = static_cast<std::size_t>(std::max(1, s.config.ocsp_max_certificates));
  auto request = pki::parse_ocsp_request(request_der, max);
  if (!request) {
    spdlog::info("ocsp malformed request: {}", pki::ocsp_request_error_name(request.error()));
    return error_reply(pki::OcspResponseStatus::malformed_request, OcspOutcome::malformed);
  }
  // Without a CA this node answers for nobody.
  if (s.ca == nullptr)
    return error_reply(pki::OcspResponseStatus::unauthorized, OcspOutcome::unauthorized);
  const OcspKeys& keys = s.ca->ocsp_keys();

  // One generation for the whole request: a delegated responder vouches only for its own
  // issuer's certificates, and relying parties (OpenSSL among them) refuse a response whose
  // CertIDs name two issuers.
  const pki::OcspIssuer* issuer = nullptr;
  for (const auto& id : request->certs) {
    const pki::OcspIssuer* found = pki::find_ocsp_issuer(keys.issuers(), id);
    if (found == nullptr || (issuer != nullptr && found != issuer))
      return error_reply(pki::OcspResponseStatus::unauthorized, OcspOutcome::unauthorized);
    issuer = found;
  }

  const auto now = s.clock.now();
  const auto now_ms = detail::ms(now);
  const bool single = request->certs.size() == 1 && !request->nonce;
  OcspCache& cache = keys.cache();
  std::string cache_key;
  if (single) {
    // The hot path: memory, no database, no signature.
    if (cache.epoch_check_due(std::chrono::milliseconds(s.config.ocsp_cache_check_ms))) {
      cache.observe_epoch(s.db.read([](store::ReadTx& tx) { return tx.ocsp().ocsp_epoch(); }));
    }
    const auto& id = request->certs[0];
    cache_key = OcspCache::key(issuer->key_id_hex, id.serial_hex, stored_hash(id.hash));
    if (auto hit = cache.find(cache_key, now_ms)) {
      return cacheable(*hit->der, hit->revoked ? OcspOutcome::revoked : OcspOutcome::good,
                       hit->this_update, hit->next_update, std::move(hit->etag));
    }
  }
  const auto remember = [&](const store::OcspStoredResponse& r, std::int64_t epoch) {
    cache.insert(cache_key,
                 {std::make_shared<const std::string>(r.der), etag_of(r.der), r.this_update,
                  r.next_update, r.refresh_at, r.revoked},
                 epoch);
  };

  // Then one lookup and the stored bytes.
  struct Read {
    std::vector<std::optional<store::OcspCertificateStatus>> statuses;
    std::int64_t epoch = 0;
  };
  const Read read = s.db.read([&](store::ReadTx& tx) {
    Read out;
    for (const auto& id : request->certs) {
      out.statuses.push_back(
          id.serial_hex.empty()
              ? std::nullopt
              : tx.ocsp().ocsp_status(issuer->key_id_hex, id.serial_hex, stored_hash(id.hash)));
    }
    // In the same snapshot: what the cache may keep of it.
    if (single) out.epoch = tx.ocsp().ocsp_epoch();
    return out;
  });
  const auto& statuses = read.statuses;
  if (single && statuses[0] && still_answers(*statuses[0], now_ms)) {
    const auto& r = *statuses[0]->response;
    remember(r, read.epoch);
    return cacheable(r.der, outcome_of(&*statuses[0]), r.this_update, r.next_update);
  }

  const auto responder = keys.responder(issuer->key_id_hex);
  if (!responder) return error_reply(pki::OcspResponseStatus::try_later, OcspOutcome::try_later);

  if (single && statuses[0]) {
    // Signed now and stored, so that the next request (on any node) finds it.
    auto stored =
        detail::sign_stored(s, *responder, *statuses[0], stored_hash(request->certs[0].hash), now);
    const bool kept =
        s.db.write([&](store::WriteTx& tx) { return tx.ocsp().try_store_ocsp_response(stored); });
    if (kept) {
      remember(stored, read.epoch);
    } else {
      spdlog::info("ocsp: a revocation came first; the response signed is not stored");
    }
    return cacheable(std::move(stored.der), outcome_of(&*statuses[0]), stored.this_update,
                     stored.next_update);
  }

  std::vector<pki::OcspAnswer> answers;
  for (std::size_t i = 0; i < request->certs.size(); ++i) {
    const auto* c = statuses[i] ? &*statuses[i] : nullptr;
    answers.push_back(detail::answer_for(s, *responder->signer, c, request->certs[i].der, now));
  }
  OcspReply r;
  r.der = responder->signer->sign(answers, request->nonce, answers.front().this_update);
  r.outcome =
      answers.size() > 1 ? OcspOutcome::several : outcome_of(statuses[0] ? &*statuses[0] : nullptr);
  // An unknown serial without a nonce: nothing stored (no row to hang it on), but cacheable.
  r.cacheable = single;
  if (single) r.etag = etag_of(r.der);
  r.this_update = answers.front().this_update;
  r.next_update = answers.front().next_update;
  return r;
}

}  // namespace onshi::app
