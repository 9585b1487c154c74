#pragma once
// Runs the HTTP server (RESTinio, kept out of this header: it is slow to compile).
#include <cstdint>
#include <functional>
#include <string>

#include "web/site.hpp"

namespace onshi::web {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  int threads = 4;
  std::uint64_t max_body_bytes = 1024 * 1024;
};

// Serves `site` until SIGINT or SIGTERM; then stops accepting, lets requests in flight finish
// (up to 10 s) and returns. `on_listening` runs once the socket is bound.
void serve(Site& site, const ServerOptions& options, const std::function<void()>& on_listening);

}  // namespace onshi::web
