#pragma once
// An HTTP(S) client for what a relying party and a vendor's check fetch: OCSP over POST, CRLs and
// CA certificates over GET, and a request over mutual TLS. libcurl underneath, kept out of this
// header. Every response is bounded in size and time: the bytes come from another machine.
#include <chrono>
#include <cstddef>
#include <expected>
#include <string>
#include <vector>

namespace onshi::pki {

struct HttpRequest {
  std::string method = "GET";  // GET or POST
  std::string url;             // http:// or https://
  std::string content_type;    // for POST
  std::string body;
  std::vector<std::string> headers;          // "Accept: application/json", …
  std::chrono::milliseconds timeout{5'000};  // the whole exchange, connecting included
  std::size_t max_response_bytes = 1024 * 1024;
  // https only. The server is verified against `trusted_ca_pem` (PEM, one or more certificates;
  // empty: the system's store) and its name against the URL's host.
  std::string trusted_ca_pem;
  // Mutual TLS: the client's certificate (PEM, its own first, then its chain) and its key (PEM).
  std::string client_cert_pem;
  std::string client_key_pem;
};

struct HttpResponse {
  int status = 0;
  std::string content_type;
  std::string body;
  std::string tls_version;  // "TLSv1.3"; empty over http
  std::string etag;         // for a conditional GET next time (If-None-Match)
};

enum class HttpFailure {
  bad_url,             // not http(s), or unparsable
  connect,             // refused, unreachable, name not resolved
  timeout,             // no complete answer within the timeout
  tls_handshake,       // the handshake failed (the server refused our certificate, or we its)
  server_certificate,  // the server's certificate did not verify against trusted_ca_pem
  client_certificate,  // our own certificate or key could not be used
  too_large,           // the response passed max_response_bytes
  other,
};

struct HttpError {
  HttpFailure failure = HttpFailure::other;
  std::string detail;  // libcurl's message, for logs and --json
};

// Thread-safe; each call is its own connection (no pooling: a status fetch is rare by design).
std::expected<HttpResponse, HttpError> http_fetch(const HttpRequest& request);

// "connect", "timeout", …: stable names for logs, metrics and --json.
std::string_view http_failure_name(HttpFailure f);

}  // namespace onshi::pki
