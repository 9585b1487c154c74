// `onshi serve`: the portal, with the outbox worker beside it.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "app/ca/issuance.hpp"
#include "app/core/outbox_worker.hpp"
#include "cli/commands.hpp"
#include "cli/runtime.hpp"
#include "web/server.hpp"

namespace onshi::cli {
namespace {

struct ServeFlags {
  std::string listen;
  std::string smtp_url;
  std::string base_url;
};

std::pair<std::string, std::uint16_t> split_listen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos)
    throw std::runtime_error(fmt::format("--listen wants HOST:PORT, got '{}'", listen));
  const int port = std::stoi(listen.substr(colon + 1));
  if (port <= 0 || port > 65535) throw std::runtime_error(fmt::format("bad port in '{}'", listen));
  return {listen.substr(0, colon), static_cast<std::uint16_t>(port)};
}

void run_serve(const GlobalOptions& globals, const ServeFlags& flags) {
  Runtime rt(globals, [&](app::Config& c) {
    if (!flags.listen.empty()) c.listen = flags.listen;
    if (!flags.smtp_url.empty()) c.smtp_url = flags.smtp_url;
    if (!flags.base_url.empty()) c.base_url = flags.base_url;
  });
  const auto& config = rt.config();
  if (const int applied = rt.db().migrate(); applied > 0)
    spdlog::info("applied {} migration(s)", applied);
  const auto [host, port] = split_listen(config.listen);
  if (rt.load_ca()) {
    spdlog::info("certificate authority loaded from {}", config.ca_dir);
  } else {
    spdlog::warn("no certificate authority in {}: issuing is unavailable until `onshi ca init`",
                 config.ca_dir);
  }

  // Issuances a crash left between their steps (app/ca/issuance.hpp).
  if (const int abandoned = app::resolve_interrupted_issuance(rt.services()); abandoned > 0)
    spdlog::warn("abandoned {} certificate reservation(s) of interrupted issuances", abandoned);

  web::Metrics metrics;
  web::Site site(rt.services(), metrics);
  app::OutboxWorker worker(rt.services());
  worker.start();
  web::serve(site, {host, port, config.threads, config.max_body_bytes}, [&] {
    std::cout << "onshi: serving " << config.base_url << " (listening on " << config.listen << ")"
              << std::endl;
    spdlog::info("listening on {}; mail via {} from {}", config.listen, config.smtp_url,
                 config.mail_from);
  });
  worker.stop();
  spdlog::info("stopped");
}

}  // namespace

void register_serve_command(CLI::App& root, GlobalOptions& globals) {
  auto flags = std::make_shared<ServeFlags>();
  auto* cmd = root.add_subcommand("serve", "Serve the portal over HTTP and send queued mail");
  cmd->add_option("--listen", flags->listen, "HOST:PORT to listen on (default 127.0.0.1:8080)");
  cmd->add_option("--smtp-url", flags->smtp_url, "SMTP server for outgoing mail, smtp://HOST:PORT");
  cmd->add_option("--base-url", flags->base_url, "Public URL of the portal, used in mailed links");
  cmd->callback([&globals, flags] { run_serve(globals, *flags); });
}

}  // namespace onshi::cli
