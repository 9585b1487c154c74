// The one place that includes RESTinio (and, for the TLS listener, Asio's OpenSSL stream): it
// turns RESTinio requests into web::Request and web::Response back into RESTinio responses.
#include <spdlog/spdlog.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <restinio/all.hpp>
#include <restinio/tls.hpp>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "pki/tls_server.hpp"
#include "util/bounded_workers.hpp"
#include "web/server.hpp"

namespace onshi::web {
namespace {

using traits_t = restinio::traits_t<restinio::asio_timer_manager_t, restinio::null_logger_t>;

// ---- the TLS client, as its handshake left it ---------------------------------------------------

using TlsPeer = pki::TlsClient;

// RESTinio's connection state listener: the client's chain is read once, when the handshake is
// done, and kept until the connection closes; each request finds it by its connection's id.
class TlsPeers {
 public:
  void state_changed(const restinio::connection_state::notice_t& notice) noexcept {
    try {
      const auto cause = notice.cause();
      if (restinio::get_if<restinio::connection_state::closed_t>(&cause)) {
        const std::lock_guard lock(mutex_);
        peers_.erase(notice.connection_id());
        return;
      }
      const auto* accepted = restinio::get_if<restinio::connection_state::accepted_t>(&cause);
      if (!accepted) return;
      accepted->try_inspect_tls([&](const restinio::connection_state::tls_accessor_t& tls) {
        auto peer = std::make_shared<const TlsPeer>(pki::tls_client_of(tls.native_handle()));
        spdlog::debug("TLS connection {} from {}: {} {}, {} client certificate(s){}",
                      notice.connection_id(), notice.remote_endpoint().address().to_string(),
                      peer->version, peer->cipher, peer->certificates.size(),
                      peer->certificates.empty() ? ""
                      : peer->verified           ? ", verified"
                                                 : ", not ours");
        const std::lock_guard lock(mutex_);
        peers_[notice.connection_id()] = std::move(peer);
      });
    } catch (...) {
      // Out of memory: the connection's requests carry no chain, as if the client sent none.
    }
  }

  std::shared_ptr<const TlsPeer> find(restinio::connection_id_t id) const {
    const std::lock_guard lock(mutex_);
    const auto it = peers_.find(id);
    return it == peers_.end() ? nullptr : it->second;
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<restinio::connection_id_t, std::shared_ptr<const TlsPeer>> peers_;
};

struct TlsTraits : restinio::tls_traits_t<restinio::asio_timer_manager_t, restinio::null_logger_t> {
  using connection_state_listener_t = TlsPeers;
};

// Set by serve() before the TLS listener opens: the connection, below, cannot reach its settings.
std::atomic<std::chrono::milliseconds::rep> handshake_timeout_ms{10'000};
// TlsListener::on_handshake, likewise; written before any thread of the pool starts, read only.
std::function<void(const TlsHandshake&)> handshake_hook;

void report_handshake(restinio::tls_socket_t& socket, const std::string& from,
                      std::chrono::steady_clock::time_point started, const std::string& error) {
  if (!handshake_hook) return;
  try {
    TlsHandshake h;
    h.ok = error.empty();
    h.remote = from;
    h.latency = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started);
    h.error = error;
    if (h.ok) {
      auto client = pki::tls_client_of(socket.asio_ssl_stream().native_handle());
      h.peer_certificates = std::move(client.certificates);
      h.peer_verified = client.verified;
      h.verify_error = std::move(client.verify_error);
      h.version = std::move(client.version);
      h.cipher = std::move(client.cipher);
    }
    handshake_hook(h);
  } catch (...) {
    // Out of memory: this handshake goes uncounted, the connection carries on.
  }
}

// RESTinio 0.6.16 arms a connection's timeouts only after its handshake (tls.hpp,
// impl/connection.hpp init()): a client that connects and sends nothing would keep its socket
// for good, and enough of them would exhaust the descriptors. This is RESTinio's handshake step
// with a deadline, and a log line saying why a handshake failed. Found by argument-dependent
// lookup for connections of TlsTraits, it is preferred to RESTinio's template as the more
// specialised. The handshake and its deadline both run on the connection's strand.
template <typename StartRead, typename Failed>
void prepare_connection_and_start_read(restinio::tls_socket_t& socket,
                                       restinio::impl::connection_t<TlsTraits>& connection,
                                       StartRead start_read, Failed failed) {
  struct Deadline {
    explicit Deadline(const TlsTraits::strand_t& s) : timer(s) {}
    asio::steady_timer timer;
    bool passed = false;
    bool handshake_over = false;
  };
  const auto strand = connection.get_executor();
  auto deadline = std::make_shared<Deadline>(strand);
  asio::error_code ignored;
  const auto from = socket.lowest_layer().remote_endpoint(ignored).address().to_string();
  const auto started = std::chrono::steady_clock::now();
  socket.async_handshake(
      asio::ssl::stream_base::server,
      asio::bind_executor(
          strand, [deadline, from, started, &socket, start_read = std::move(start_read),
                   failed = std::move(failed),
                   keep = connection.shared_from_this()](const asio::error_code& ec) mutable {
            deadline->handshake_over = true;
            deadline->timer.cancel();
            if (!ec) {
              report_handshake(socket, from, started, {});
              start_read();
              return;
            }
            // Scanners, plain HTTP on this port and clients without a common protocol end here.
            const auto why =
                deadline->passed ? std::string("no handshake within the time limit") : ec.message();
            spdlog::info("TLS handshake from {} failed: {}", from, why);
            report_handshake(socket, from, started, why);
            failed(ec);
          }));
  deadline->timer.expires_after(std::chrono::milliseconds(handshake_timeout_ms.load()));
  deadline->timer.async_wait(asio::bind_executor(
      strand, [deadline, &socket,
               alive = std::weak_ptr(connection.shared_from_this())](const asio::error_code& ec) {
        if (ec || deadline->handshake_over) return;
        if (const auto still_open = alive.lock()) {
          deadline->passed = true;
          asio::error_code ignored_ec;
          socket.lowest_layer().cancel(ignored_ec);  // the handshake ends with operation_aborted
        }
      }));
}

std::string read_file(const std::string& what, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (!(in && text << in.rdbuf()))
    throw std::runtime_error(
        fmt::format("{} {}: cannot read it ({})", what, path, std::strerror(errno)));
  return text.str();
}

// The policy is pki/'s (tls_server.hpp), which alone names OpenSSL.
std::shared_ptr<asio::ssl::context> make_tls_context(const TlsListener& t) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  pki::configure_tls_server(
      context->native_handle(),
      {read_file("server.tls_cert_file", t.cert_file), read_file("server.tls_key_file", t.key_file),
       t.cert_file, t.key_file, t.client_ca_pem});
  return context;
}

// ---- requests and answers ---------------------------------------------------------------------

Request to_request(const restinio::request_t& req, bool tls, const TlsPeer* peer,
                   const std::vector<AddressRange>& trusted_proxies) {
  Request r;
  const auto& h = req.header();
  r.method = std::string(h.method().c_str());
  r.path = std::string(h.path());
  r.query = std::string(h.query());
  h.for_each_field([&](const restinio::http_header_field_t& f) {
    std::string name = f.name();
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto [it, inserted] = r.headers.try_emplace(std::move(name), f.value());
    if (!inserted) it->second.append(it->first == "cookie" ? "; " : ", ").append(f.value());
  });
  r.body = req.body();
  // Only the plain listener sits behind an HTTP proxy that appends to X-Forwarded-For; the TLS one
  // is reached directly or through a TCP pass-through, where the header is the client's own.
  static const std::vector<AddressRange> none;
  r.remote = client_address(req.remote_endpoint().address().to_string(),
                            r.header("x-forwarded-for"), tls ? none : trusted_proxies);
  r.tls = tls;
  if (peer) {
    r.peer_certificates = peer->certificates;
    r.peer_verified = peer->verified;
    r.tls_version = peer->version;
    r.tls_cipher = peer->cipher;
  }
  return r;
}

// Writes `resp` as the answer to `req`.
void send(const restinio::request_handle_t& req, const Response& resp, bool close) {
  auto out = req->create_response(restinio::http_status_line_t{
      restinio::http_status_code_t{static_cast<std::uint16_t>(resp.status)},
      std::string(reason_phrase(resp.status))});
  for (const auto& [name, value] : resp.headers) out.append_header(name, value);
  if (close || resp.close_connection) out.connection_close();
  out.set_body(resp.body);
  out.done();
}

// The last resort when answering failed (Site::handle itself never throws): the 500 page, closing
// the connection, so that the client is not left waiting for the request timeout.
void answer_500(const Responder& responder, const restinio::request_handle_t& req) noexcept {
  try {
    Request r;
    r.method = std::string(req->header().method().c_str());
    r.path = std::string(req->header().path());
    send(req, responder.error_page(500, r), /*close=*/true);
  } catch (...) {
    // The connection is gone; RESTinio closes it.
  }
}

void answer(const Responder& responder, const restinio::request_handle_t& req,
            const Request& r) noexcept {
  try {
    send(req, responder.handle(r), /*close=*/false);
    return;
  } catch (const std::exception& e) {
    // Outside the handler nothing catches for us, and an exception would stop io.run().
    spdlog::error("answering {} failed: {}", req->header().path(), e.what());
  } catch (...) {
    spdlog::error("answering {} failed", req->header().path());
  }
  answer_500(responder, req);
}

// On a thread of the event loop: answers the request there, or hands it to the password pool,
// or, when that pool's queue is full, answers Responder::password_busy. Returns false when the
// pool took it (the pool's job then ends the request's time in flight).
bool take(const Responder& responder, util::BoundedWorkers* passwords, std::atomic<int>& in_flight,
          const restinio::request_handle_t& req, bool tls, const TlsPeer* peer,
          const std::vector<AddressRange>& trusted_proxies) noexcept {
  try {
    auto r = std::make_shared<const Request>(to_request(*req, tls, peer, trusted_proxies));
    if (passwords && responder.password_work(*r)) {
      std::function<void()> job = [&responder, &in_flight, req, r] {
        answer(responder, req, *r);
        --in_flight;
      };
      if (passwords->try_post(job)) return false;
      send(req, responder.password_busy(*r), /*close=*/false);
      return true;
    }
    answer(responder, req, *r);
    return true;
  } catch (const std::exception& e) {
    spdlog::error("answering {} failed: {}", req->header().path(), e.what());
  } catch (...) {
    spdlog::error("answering {} failed", req->header().path());
  }
  answer_500(responder, req);
  return true;
}

// What both listeners share; the request handler and, for TLS, the context come on top.
template <typename Traits>
restinio::server_settings_t<Traits> common_settings(const std::string& host, std::uint16_t port,
                                                    const ServerOptions& options) {
  restinio::incoming_http_msg_limits_t limits;
  // RESTinio drops the connection past its limit without an answer; Site answers 413 for bodies
  // over max_body_bytes, so RESTinio only cuts off what is far too large to be worth reading.
  limits.max_body_size(options.max_body_bytes * 8);
  limits.max_url_size(8 * 1024);
  limits.max_field_name_size(256);
  limits.max_field_value_size(16 * 1024);
  limits.max_field_count(100);
  return std::move(restinio::server_settings_t<Traits>{}
                       .address(host)
                       .port(port)
                       .incoming_http_msg_limits(limits)
                       .read_next_http_message_timelimit(options.read_timeout)
                       .handle_request_timeout(std::chrono::seconds(60))
                       .write_http_response_timelimit(std::chrono::seconds(30)));
}

}  // namespace

void serve(const Responder& responder, const ServerOptions& options,
           const std::function<void()>& on_listening) {
  std::atomic<int> in_flight{0};
  asio::io_context io;

  // Answered after the handler has returned, never inside it. RESTinio 0.6.16
  // (impl/connection.hpp) resumes reading twice when done() runs inside the handler: once as the
  // handler returns, once after the write (m_init_read_after_this_write), resetting the parser in
  // between. A next request whose headers arrived before its body lost them, and its body was
  // parsed as a request line: the connection closed without an answer (about 1 in 50 for
  // Python's http.client, which sends the two apart).
  // Argon2id takes tens of milliseconds of a core and 64 MiB: on the loop's threads a burst of
  // logins would hold all of them while every other page waited. Reset once io.run() has
  // returned, while the listeners and io still exist for the answers of jobs left in it.
  std::unique_ptr<util::BoundedWorkers> passwords;
  if (responder.password_work && responder.password_busy) {
    // Nice 10: when logins and pages compete for the cores, pages win (CFS weights 1024 to 110).
    passwords = std::make_unique<util::BoundedWorkers>(options.password_threads,
                                                       options.password_queue, 10);
  }
  const auto handler = [&](const TlsPeers* peers) {
    return [&, peers](restinio::request_handle_t req) {
      ++in_flight;
      auto peer = peers ? peers->find(req->connection_id()) : nullptr;
      asio::post(io, [&responder, &in_flight, &options, pool = passwords.get(),
                      req = std::move(req), tls = peers != nullptr, peer = std::move(peer)] {
        if (take(responder, pool, in_flight, req, tls, peer.get(), options.trusted_proxies))
          --in_flight;
      });
      return restinio::request_accepted();
    };
  };

  if (!options.plain && !options.tls) throw std::runtime_error("no listener to serve on");
  std::unique_ptr<restinio::http_server_t<traits_t>> server;
  if (options.plain) {
    server = std::make_unique<restinio::http_server_t<traits_t>>(
        restinio::external_io_context(io),
        common_settings<traits_t>(options.host, options.port, options)
            .request_handler(handler(nullptr)));
  }
  std::unique_ptr<restinio::http_server_t<TlsTraits>> tls_server;
  if (options.tls) {
    handshake_timeout_ms = options.tls->handshake_timeout.count();
    handshake_hook = options.tls->on_handshake;
    auto peers = std::make_shared<TlsPeers>();
    tls_server = std::make_unique<restinio::http_server_t<TlsTraits>>(
        restinio::external_io_context(io),
        common_settings<TlsTraits>(options.tls->host, options.tls->port, options)
            .request_handler(handler(peers.get()))
            .tls_context(make_tls_context(*options.tls))
            .connection_state_listener(peers));
  }

  std::mutex failure_mutex;
  std::exception_ptr failure;
  const auto fail = [&](std::exception_ptr ex) {
    {
      const std::lock_guard lock(failure_mutex);
      if (!failure) failure = ex;
    }
    io.stop();
  };
  asio::signal_set signals(io, SIGINT, SIGTERM);
  asio::steady_timer drain(io);
  const auto drain_deadline = std::make_shared<std::chrono::steady_clock::time_point>();
  std::function<void()> wait_for_drain = [&] {
    if (in_flight.load() == 0 || std::chrono::steady_clock::now() > *drain_deadline) {
      io.stop();
      return;
    }
    drain.expires_after(std::chrono::milliseconds(50));
    drain.async_wait([&](const asio::error_code&) { wait_for_drain(); });
  };
  const int listeners = (server ? 1 : 0) + (tls_server ? 1 : 0);
  std::atomic<int> to_close{listeners};
  signals.async_wait([&](const asio::error_code& ec, int signal_number) {
    if (ec) return;
    spdlog::info("signal {}: no new connections; finishing requests in flight", signal_number);
    *drain_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    // Each listener closes on its own strand; the drain starts once both stopped accepting.
    const auto closed = [&] {
      if (--to_close == 0) asio::post(io, [&] { wait_for_drain(); });
    };
    if (server) server->close_async(closed, fail);
    if (tls_server) tls_server->close_async(closed, fail);
  });
  std::atomic<int> to_open{listeners};
  const auto opened = [&] {
    if (--to_open == 0) on_listening();
  };
  if (server) server->open_async(opened, fail);
  if (tls_server) tls_server->open_async(opened, fail);

  std::vector<std::thread> pool;
  for (int i = 1; i < options.threads; ++i) pool.emplace_back([&] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
  passwords.reset();
  handshake_hook = nullptr;
  if (failure) std::rethrow_exception(failure);
}

}  // namespace onshi::web
