#pragma once
// A small HTTP/1.1 server on a loopback socket for the pki tests of what fetches over HTTP (the
// status checks, the HTTP client): one thread, one request per connection, answered by a handler
// the test sets. Real sockets, so libcurl runs exactly as in production.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace onshi::pki::test {

struct HttpExchange {
  std::string method, path, body;
  std::string headers;  // as sent, lower-cased
};
struct HttpAnswer {
  int status = 200;
  std::string content_type = "application/octet-stream";
  std::string body;
  std::string extra_headers;  // "ETag: \"1\"\r\n"
  int delay_ms = 0;           // before answering (timeouts)
};

class HttpTestServer {
 public:
  HttpTestServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 16) != 0)
      throw std::runtime_error("cannot listen on loopback");
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { loop(); });
  }
  ~HttpTestServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  void handle(std::function<HttpAnswer(const HttpExchange&)> h) {
    const std::lock_guard lock(mutex_);
    handler_ = std::move(h);
  }
  int requests() const { return requests_.load(); }

 private:
  void loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) continue;
      serve(client);
      ::close(client);
    }
  }

  void serve(int client) {
    std::string in;
    char buf[16384];
    std::size_t header_end = std::string::npos, need = 0;
    while (true) {
      pollfd p{client, POLLIN, 0};
      if (::poll(&p, 1, 2000) <= 0) return;
      const ssize_t n = ::recv(client, buf, sizeof buf, 0);
      if (n <= 0) return;
      in.append(buf, static_cast<std::size_t>(n));
      if (header_end == std::string::npos) {
        header_end = in.find("\r\n\r\n");
        if (header_end == std::string::npos) continue;
        std::string lower = in.substr(0, header_end);
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const auto cl = lower.find("content-length:");
        need = cl == std::string::npos ? 0 : std::stoul(lower.substr(cl + 15));
      }
      if (in.size() >= header_end + 4 + need) break;
    }
    HttpExchange ex;
    const auto sp1 = in.find(' '), sp2 = in.find(' ', sp1 + 1);
    ex.method = in.substr(0, sp1);
    ex.path = in.substr(sp1 + 1, sp2 - sp1 - 1);
    ex.headers = in.substr(0, header_end);
    for (auto& c : ex.headers) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    ex.body = in.substr(header_end + 4, need);
    ++requests_;
    HttpAnswer a;
    {
      const std::lock_guard lock(mutex_);
      a = handler_ ? handler_(ex) : HttpAnswer{404, "text/plain", "none", "", 0};
    }
    if (a.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(a.delay_ms));
    std::string out =
        "HTTP/1.1 " + std::to_string(a.status) + " X\r\nContent-Type: " + a.content_type +
        "\r\nContent-Length: " + std::to_string(a.body.size()) + "\r\nConnection: close\r\n";
    out.append(a.extra_headers).append("\r\n").append(a.body);
    std::size_t sent = 0;
    while (sent < out.size()) {
      const ssize_t n = ::send(client, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::mutex mutex_;
  std::function<HttpAnswer(const HttpExchange&)> handler_;
  std::thread thread_;
};

}  // namespace onshi::pki::test
