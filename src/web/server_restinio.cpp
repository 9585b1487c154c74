// The one place that includes RESTinio: it turns RESTinio requests into web::Request and
// web::Response back into RESTinio responses.
#include <spdlog/spdlog.h>

#include <atomic>
#include <restinio/all.hpp>
#include <thread>

#include "web/server.hpp"

namespace onshi::web {
namespace {

using traits_t = restinio::traits_t<restinio::asio_timer_manager_t, restinio::null_logger_t>;

Request to_request(const restinio::request_t& req) {
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
  r.remote = req.remote_endpoint().address().to_string();
  return r;
}

// Writes `resp` as the answer to `req`.
void send(const restinio::request_handle_t& req, const Response& resp, bool close) {
  auto out = req->create_response(restinio::http_status_line_t{
      restinio::http_status_code_t{static_cast<std::uint16_t>(resp.status)},
      std::string(reason_phrase(resp.status))});
  for (const auto& [name, value] : resp.headers) out.append_header(name, value);
  if (close) out.connection_close();
  out.set_body(resp.body);
  out.done();
}

// The last resort when answering failed (Site::handle itself never throws): the 500 page, closing
// the connection, so that the client is not left waiting for the request timeout.
void answer_500(Site& site, const restinio::request_handle_t& req) noexcept {
  try {
    Request r;
    r.method = std::string(req->header().method().c_str());
    r.path = std::string(req->header().path());
    send(req, site.error_page(500, r), /*close=*/true);
  } catch (...) {
    // The connection is gone; RESTinio closes it.
  }
}

void answer(Site& site, const restinio::request_handle_t& req) noexcept {
  try {
    send(req, site.handle(to_request(*req)), /*close=*/false);
    return;
  } catch (const std::exception& e) {
    // Outside the handler nothing catches for us, and an exception would stop io.run().
    spdlog::error("answering {} failed: {}", req->header().path(), e.what());
  } catch (...) {
    spdlog::error("answering {} failed", req->header().path());
  }
  answer_500(site, req);
}

}  // namespace

void serve(Site& site, const ServerOptions& options, const std::function<void()>& on_listening) {
  std::atomic<int> in_flight{0};
  asio::io_context io;

  restinio::incoming_http_msg_limits_t limits;
  // RESTinio drops the connection past its limit without an answer; Site answers 413 for bodies
  // over max_body_bytes, so RESTinio only cuts off what is far too large to be worth reading.
  limits.max_body_size(options.max_body_bytes * 8);
  limits.max_url_size(8 * 1024);
  limits.max_field_name_size(256);
  limits.max_field_value_size(16 * 1024);
  limits.max_field_count(100);

  auto settings = restinio::server_settings_t<traits_t>{}
                      .address(options.host)
                      .port(options.port)
                      .incoming_http_msg_limits(limits)
                      .read_next_http_message_timelimit(std::chrono::seconds(60))
                      .handle_request_timeout(std::chrono::seconds(60))
                      .write_http_response_timelimit(std::chrono::seconds(30))
                      .request_handler([&](restinio::request_handle_t req) {
                        ++in_flight;
                        // Answered after the handler has returned, never inside it. RESTinio
                        // 0.6.16 (impl/connection.hpp) resumes reading twice when done() runs
                        // inside the handler: once as the handler returns, once after the write
                        // (m_init_read_after_this_write), resetting the parser in between. A next
                        // request whose headers arrived before its body lost them, and its body
                        // was parsed as a request line: the connection closed without an answer
                        // (about 1 in 50 for Python's http.client, which sends the two apart).
                        asio::post(io, [&site, &in_flight, req = std::move(req)] {
                          answer(site, req);
                          --in_flight;
                        });
                        return restinio::request_accepted();
                      });
  restinio::http_server_t<traits_t> server{restinio::external_io_context(io), std::move(settings)};

  std::exception_ptr failure;
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
  signals.async_wait([&](const asio::error_code& ec, int signal_number) {
    if (ec) return;
    spdlog::info("signal {}: no new connections; finishing requests in flight", signal_number);
    *drain_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    server.close_async([&] { wait_for_drain(); },
                       [&](std::exception_ptr ex) {
                         failure = ex;
                         io.stop();
                       });
  });
  server.open_async([&] { on_listening(); },
                    [&](std::exception_ptr ex) {
                      failure = ex;
                      io.stop();
                    });

  std::vector<std::thread> pool;
  for (int i = 1; i < options.threads; ++i) pool.emplace_back([&] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace onshi::web
