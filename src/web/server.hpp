#pragma once
// Runs the HTTP server (RESTinio, kept out of this header: it is slow to compile), on a plain
// listener and optionally a TLS one beside it.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "web/forwarded.hpp"
#include "web/http.hpp"
#include "web/site.hpp"

namespace onshi::web {

// What one handshake on the TLS listener came to, for its owner's log and metrics (the relying
// party's). Handed over on the connection's strand, once per connection.
struct TlsHandshake {
  bool ok = false;
  std::string remote;                   // the client's address
  std::chrono::microseconds latency{};  // from the accepted connection to the handshake's end
  std::string error;                    // why it failed: OpenSSL's words, or the time limit
  // When ok, what Request carries: the chain as presented, whether it verified at the handshake
  // (and OpenSSL's words when it did not), the protocol and the cipher suite.
  std::vector<std::string> peer_certificates;
  bool peer_verified = false;
  std::string verify_error;
  std::string version, cipher;
};

// The listener that speaks TLS 1.2 and 1.3 (docs/security.md, "The TLS listener"). It asks every
// client for a certificate, names the CA in its request, never requires one, and hands the chain
// to the request (Request::peer_certificates, peer_verified).
struct TlsListener {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8443;
  std::string cert_file;  // PEM: the server's certificate, then the issuing CA's
  std::string key_file;   // PEM private key of that certificate
  // PEM certificates a client's certificate is verified against, the CA's issuing and root
  // certificates; their subjects are the CA names the handshake's CertificateRequest lists.
  // Empty: no client certificate is asked for.
  std::string client_ca_pem;
  // A connection that has not finished its handshake by then is closed (RESTinio's own timeouts
  // start only after the handshake).
  std::chrono::milliseconds handshake_timeout{10'000};
  // Called once per handshake, success or failure; must not throw and should be quick (it runs
  // on the server's threads).
  std::function<void(const TlsHandshake&)> on_handshake;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  int threads = 4;
  std::uint64_t max_body_bytes = 1024 * 1024;
  std::optional<TlsListener> tls;
  // false: no plain listener (host and port unused); the TLS one must then be given.
  bool plain = true;
  // Peers whose X-Forwarded-For names the client (server.trusted_proxies, web/forwarded.hpp);
  // empty: every request's address is its socket's.
  std::vector<AddressRange> trusted_proxies;
  // Requests that hash or verify a password (Responder::password_work) run on threads of their
  // own, so that a burst of logins leaves the `threads` free for every other page; beyond
  // `password_queue` waiting, such a request is answered Responder::password_busy at once.
  int password_threads = 2;
  std::size_t password_queue = 16;  // app::Config::password_queue says why
  // From connecting, or the last answer, to a whole request (app::Config::read_timeout); then
  // the connection is closed.
  std::chrono::seconds read_timeout{60};
};

// What the server hands each request to: the Site, or a stand-in in the server's own tests.
struct Responder {
  std::function<Response(const Request&)> handle;  // must not throw
  // The last resort when answering failed: a 500 page without detail.
  std::function<Response(int status, const Request&)> error_page;
  // Optional, both or neither: whether the request goes to the password pool, and the answer
  // when that pool's queue is full. Without them every request runs on the server's threads.
  std::function<bool(const Request&)> password_work;  // must not throw
  std::function<Response(const Request&)> password_busy;
};

// Serves until SIGINT or SIGTERM; then stops accepting on every listener, lets requests in flight
// finish (up to 10 s) and returns. `on_listening` runs once every socket is bound. Throws
// std::runtime_error before listening when the TLS certificate or key cannot be read, or do not
// belong together, and when a socket cannot be bound.
void serve(const Responder& responder, const ServerOptions& options,
           const std::function<void()>& on_listening);

inline void serve(Site& site, const ServerOptions& options,
                  const std::function<void()>& on_listening) {
  serve(Responder{[&site](const Request& r) { return site.handle(r); },
                  [&site](int status, const Request& r) { return site.error_page(status, r); },
                  [&site](const Request& r) { return site.is_password_work(r); },
                  [&site](const Request& r) { return site.password_busy(r); }},
        options, on_listening);
}

}  // namespace onshi::web
