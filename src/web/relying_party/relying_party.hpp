#pragma once
// `onshi relying-party` (issue 17): the other end of a terminal's connection, as the online
// eligibility system (資格確認システム) would be. Every request over mutual TLS is answered only
// when the client's certificate chains to the trusted root through an issuing CA and its status
// is good (pki::StatusChecker: OCSP, falling back to the CRLs; fail closed). Anything else is
// refused with a JSON answer saying why in Japanese, and the connection is closed. The plain
// listener beside it serves /metrics and /healthz. docs/relying-party.md describes it all.
#include <functional>
#include <string>

#include "app/core/messages.hpp"
#include "pki/certificate_status.hpp"
#include "web/http.hpp"
#include "web/relying_party/rp_metrics.hpp"
#include "web/server.hpp"

namespace onshi::web::relying_party {

struct Options {
  // Where the structured log goes: one JSON object per line, one per request and one per
  // handshake. Empty: spdlog's default logger at info.
  std::function<void(const std::string&)> log;
};

class RelyingParty {
 public:
  // `checker` and `messages` must outlive this object.
  RelyingParty(pki::StatusChecker& checker, const app::Messages& messages, Options options = {});

  // Both listeners: over TLS the terminal's endpoints, on the plain one /metrics and /healthz.
  // Never throws.
  Response handle(const Request& r);
  // TlsListener::on_handshake: counts and logs it.
  void on_handshake(const TlsHandshake& h);
  // What web::serve needs.
  Responder responder();
  std::string metrics_text() const;

 private:
  struct Checked;
  Response over_tls(const Request& r, RequestResult& result, Checked& checked);
  Response plain(const Request& r) const;
  Response refusal(int status, RequestResult result, const Checked& checked) const;
  void log(const std::string& line) const;

  pki::StatusChecker& checker_;
  const app::Messages& messages_;
  Options options_;
  Metrics metrics_;
};

// The JSON answer every refusal and error shares: {"result": NAME, "message": 日本語}.
Response json_answer(int status, const std::string& json_text);

}  // namespace onshi::web::relying_party
