#include "web/relying_party/relying_party.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "app/core/dates_shown.hpp"
#include "web/relying_party/eligibility.hpp"

namespace onshi::web::relying_party {
namespace {

// Members in the order written: the log and the answers read top-down (time, event first).
using json = nlohmann::ordered_json;
using std::chrono::system_clock;

json iso(const std::optional<pki::TimePoint>& t) {
  if (!t) return nullptr;
  return fmt::format("{:%FT%TZ}", std::chrono::floor<std::chrono::seconds>(*t));
}

// The log's timestamp: UTC to the millisecond, as ISO 8601.
std::string log_time() {
  const auto now = std::chrono::floor<std::chrono::milliseconds>(system_clock::now());
  const auto seconds = std::chrono::floor<std::chrono::seconds>(now);
  return fmt::format("{:%FT%T}.{:03}Z", seconds, (now - seconds).count());
}

double milliseconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

RequestResult result_of(pki::ChainProblem p) {
  switch (p) {
    case pki::ChainProblem::no_certificate:
      return RequestResult::no_certificate;
    case pki::ChainProblem::unreadable:
      return RequestResult::unreadable;
    case pki::ChainProblem::unknown_ca:
      return RequestResult::unknown_ca;
    case pki::ChainProblem::expired:
      return RequestResult::expired;
    case pki::ChainProblem::not_yet_valid:
      return RequestResult::not_yet_valid;
    case pki::ChainProblem::wrong_purpose:
      return RequestResult::wrong_purpose;
    case pki::ChainProblem::not_a_terminal:
      return RequestResult::not_a_terminal;
    case pki::ChainProblem::revoked_ca:
      return RequestResult::revoked_ca;
    case pki::ChainProblem::none:
    case pki::ChainProblem::other:
      break;
  }
  return RequestResult::invalid_certificate;
}

std::int64_t unix_ms(pki::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

Response json_answer(int status, const std::string& json_text) {
  Response r = Response::text(status, "application/json; charset=utf-8", json_text);
  r.header("Cache-Control", "no-store");
  return r;
}

struct RelyingParty::Checked {
  std::optional<pki::StatusChecker::Result> check;
  std::string detail;  // why it was refused, in OpenSSL's or libcurl's words: for the log only
};

RelyingParty::RelyingParty(pki::StatusChecker& checker, const app::Messages& messages,
                           Options options)
    : checker_(checker), messages_(messages), options_(std::move(options)) {}

Responder RelyingParty::responder() {
  return Responder{[this](const Request& r) { return handle(r); },
                   [this](int status, const Request&) {
                     return json_answer(
                         status, json{{"result", "internal_error"},
                                      {"message", messages_.get("relying_party.internal_error")}}
                                     .dump());
                   },
                   // No password work: every request runs on the server's threads.
                   {},
                   {}};
}

std::string RelyingParty::metrics_text() const {
  return metrics_.render(checker_.counters());
}

void RelyingParty::log(const std::string& line) const {
  if (options_.log)
    options_.log(line);
  else
    spdlog::info("{}", line);
}

Response RelyingParty::handle(const Request& r) {
  if (!r.tls) return plain(r);
  const auto started = std::chrono::steady_clock::now();
  auto result = RequestResult::internal_error;
  Checked checked;
  Response answer;
  try {
    answer = over_tls(r, result, checked);
  } catch (const std::exception& e) {
    result = RequestResult::internal_error;
    checked.detail = e.what();
    answer = refusal(500, result, checked);
  }
  const auto took = std::chrono::steady_clock::now() - started;
  metrics_.count_request(result, std::chrono::duration<double>(took).count());

  json line = {{"time", log_time()},
               {"event", "request"},
               {"remote", r.remote},
               {"method", r.method},
               {"path", r.path},
               {"status", answer.status},
               {"result", request_result_name(result)},
               {"latencyMs", milliseconds(took)}};
  if (checked.check && checked.check->identity) {
    const auto& id = *checked.check->identity;
    line["serial"] = id.serial_hex;
    line["institution"] = id.institution_code;
    line["terminal"] = id.terminal;
  }
  if (checked.check && checked.check->chain.ok()) {
    const auto& s = checked.check->status;
    line["statusSource"] = s.source;
    line["fromCache"] = checked.check->from_cache;
    // A fresh answer that came the long way (the CRLs after a failed OCSP query) says so.
    if (checked.detail.empty() && !checked.check->from_cache) checked.detail = s.detail;
  }
  if (!checked.detail.empty()) line["detail"] = checked.detail;
  log(line.dump(-1, ' ', false, json::error_handler_t::replace));
  return answer;
}

Response RelyingParty::over_tls(const Request& r, RequestResult& result, Checked& checked) {
  if (r.peer_certificates.empty()) {
    result = RequestResult::no_certificate;
    return refusal(403, result, checked);
  }
  checked.check = checker_.check(r.peer_certificates, system_clock::now());
  auto& c = *checked.check;
  if (!c.chain.ok()) {
    // Who was refused, for the log and the answer, as far as the certificate says.
    if (!c.identity) c.identity = pki::describe_certificate(r.peer_certificates.front());
    result = result_of(c.chain.problem);
    checked.detail = c.chain.detail;
    return refusal(403, result, checked);
  }
  metrics_.count_status(c.status.source, c.status.state);
  switch (c.status.state) {
    case pki::RevocationState::good:
      break;
    case pki::RevocationState::revoked:
      result = RequestResult::revoked;
      return refusal(403, result, checked);
    case pki::RevocationState::unknown:
      result = RequestResult::unknown;
      checked.detail = c.status.detail;
      return refusal(403, result, checked);
    case pki::RevocationState::unavailable:
      // Fail closed: without a current answer the certificate may be revoked.
      result = RequestResult::unavailable;
      checked.detail = c.status.detail;
      return refusal(503, result, checked);
  }
  if (!c.identity) {
    result = RequestResult::unreadable;
    return refusal(403, result, checked);
  }

  const auto routed = [&](RequestResult res, int status) {
    result = res;
    return json_answer(
        status,
        json{{"result", request_result_name(res)},
             {"message", messages_.get(fmt::format("relying_party.{}", request_result_name(res)))}}
            .dump());
  };
  const auto& id = *c.identity;
  if (r.path == "/whoami") {
    if (r.method != "GET" && r.method != "HEAD")
      return routed(RequestResult::method_not_allowed, 405).header("Allow", "GET, HEAD");
    result = RequestResult::ok;
    const auto now = system_clock::now();
    const auto& s = c.status;
    const json body = {
        {"result", "ok"},
        {"institutionCode", id.institution_code},
        {"institutionName", id.institution_name},
        {"terminal", id.terminal},
        {"commonName", id.common_name},
        {"issuanceNumber", id.issuance_number},
        {"serial", id.serial_hex},
        {"subject", id.subject},
        {"issuer", id.issuer},
        {"notBefore", iso(id.not_before)},
        {"notAfter", iso(id.not_after)},
        {"daysLeft", std::chrono::floor<std::chrono::days>(id.not_after - now).count()},
        {"sha256Fingerprint", id.sha256_fingerprint},
        {"status",
         {{"state", pki::revocation_state_name(s.state)},
          {"source", s.source},
          {"fromCache", c.from_cache},
          {"thisUpdate", iso(s.this_update)},
          {"nextUpdate", iso(s.next_update)},
          {"url", s.url},
          {"deltaApplied", s.delta_applied}}},
        {"tls", {{"version", r.tls_version}, {"cipher", r.tls_cipher}}},
    };
    return json_answer(200, body.dump(-1, ' ', false, json::error_handler_t::replace));
  }
  if (r.path == "/eligibility") {
    if (r.method != "POST")
      return routed(RequestResult::method_not_allowed, 405).header("Allow", "POST");
    return eligibility(r, id, messages_, result);
  }
  return routed(RequestResult::not_found, 404);
}

Response RelyingParty::refusal(int status, RequestResult result, const Checked& checked) const {
  const auto name = request_result_name(result);
  json body = {{"result", name}};
  const pki::StatusChecker::Result* c = checked.check ? &*checked.check : nullptr;
  if (result == RequestResult::revoked && c) {
    const auto& s = c->status;
    const auto reason = s.reason.empty() ? std::string("unspecified") : s.reason;
    const auto words_key = "revocation.reason." + reason;
    const auto words = messages_.has(words_key) ? messages_.get(words_key) : reason;
    const auto when = s.revoked_at ? app::time_shown(messages_, unix_ms(*s.revoked_at)) : "";
    body["message"] = messages_.format("relying_party.revoked", {when, words});
    body["revokedAt"] = iso(s.revoked_at);
    body["reason"] = reason;
  } else {
    body["message"] = messages_.get(fmt::format("relying_party.{}", name));
  }
  if (c && c->identity) {
    body["serial"] = c->identity->serial_hex;
    body["institutionCode"] = c->identity->institution_code;
    body["terminal"] = c->identity->terminal;
  }
  if (c && c->chain.ok() && !c->status.source.empty()) body["statusSource"] = c->status.source;
  Response answer = json_answer(status, body.dump(-1, ' ', false, json::error_handler_t::replace));
  if (status == 503) answer.header("Retry-After", "30");
  // A refused client gets nothing more on this connection: it must come back with another
  // certificate, or once the status can be checked again.
  answer.close_connection = true;
  return answer;
}

Response RelyingParty::plain(const Request& r) const {
  if (r.method == "GET" && r.path == "/healthz") return json_answer(200, R"({"status":"ok"})");
  if (r.method == "GET" && r.path == "/metrics")
    return Response::text(200, "text/plain; version=0.0.4; charset=utf-8", metrics_text());
  return json_answer(404, json{{"result", "not_found"},
                               {"message", messages_.get("relying_party.plain_not_found")}}
                              .dump());
}

void RelyingParty::on_handshake(const TlsHandshake& h) {
  const auto result = !h.ok                         ? HandshakeResult::failed
                      : h.peer_certificates.empty() ? HandshakeResult::no_certificate
                      : h.peer_verified             ? HandshakeResult::ok
                                                    : HandshakeResult::unverified;
  metrics_.count_handshake(result, std::chrono::duration<double>(h.latency).count());
  json line = {{"time", log_time()},
               {"event", "handshake"},
               {"remote", h.remote},
               {"result", handshake_result_name(result)},
               {"latencyMs", std::chrono::duration<double, std::milli>(h.latency).count()}};
  if (h.ok) {
    line["version"] = h.version;
    line["cipher"] = h.cipher;
    line["certificates"] = h.peer_certificates.size();
  } else {
    line["error"] = h.error;
  }
  if (!h.peer_certificates.empty()) {
    if (const auto id = pki::describe_certificate(h.peer_certificates.front())) {
      line["serial"] = id->serial_hex;
      line["institution"] = id->institution_code;
      line["terminal"] = id->terminal;
    }
  }
  if (!h.verify_error.empty()) line["verifyError"] = h.verify_error;
  log(line.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace onshi::web::relying_party
