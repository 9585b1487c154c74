#pragma once
// The project's own request/response types: handlers are plain functions over these, testable
// without a socket; only server_restinio.cpp knows the HTTP library.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace onshi::web {

struct Request {
  std::string method;                          // "GET", "POST", ...
  std::string path;                            // the path as sent (escapes kept), no query
  std::string query;                           // raw query string, without '?'
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string remote;
  // Whether the request came over the TLS listener (never through a proxy's TLS: a request from
  // a TLS-terminating proxy arrives on the plain listener with tls false).
  bool tls = false;
  // The TLS client's certificate chain as it presented it, DER, its own certificate first; empty
  // on the plain listener or when the client sent none. Captured once per connection, after the
  // handshake: every request on that connection carries the same chain.
  std::vector<std::string> peer_certificates;
  // True only when OpenSSL verified peer_certificates[0] at the handshake against the CA's root
  // and issuing certificates: a chain up to our root, each certificate within its validity, the
  // leaf fit for clientAuth. Revocation is NOT checked here (the handshake reads no CRL): a route
  // that authenticates a terminal by its certificate (EST re-enrolment, RFC 7030 3.3.2) must
  // still look the certificate up in the store and refuse a revoked one. False, with the chain
  // still filled, for a certificate of another CA or an expired one: the handshake accepts any
  // client certificate, so that the route can answer with a proper error instead of a TLS alert.
  bool peer_verified = false;
  // The TLS listener's protocol and cipher suite of the connection ("TLSv1.3",
  // "TLS_AES_256_GCM_SHA384"); empty on the plain listener.
  std::string tls_version, tls_cipher;

  std::string_view header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string_view{} : std::string_view(it->second);
  }
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Close the connection once this answer is written (a relying party that refuses the client's
  // certificate says why, then ends the connection rather than serve more requests on it).
  bool close_connection = false;

  Response& header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  static Response redirect(std::string location, int status = 303) {
    Response r;
    r.status = status;
    r.header("Location", std::move(location));
    return r;
  }
  static Response text(int status, std::string content_type, std::string body) {
    Response r;
    r.status = status;
    r.header("Content-Type", std::move(content_type));
    r.body = std::move(body);
    return r;
  }
};

std::string_view reason_phrase(int status);

}  // namespace onshi::web
