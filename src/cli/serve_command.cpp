// `onshi serve`: the portal, with the outbox worker and the housekeeping sweeps beside it.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "app/ca/certificate_authority.hpp"
#include "app/ca/crl_publisher.hpp"
#include "app/ca/expiry_reminders.hpp"
#include "app/ca/issuance.hpp"
#include "app/ca/issuer_key_ids.hpp"
#include "app/ca/ocsp_responder.hpp"
#include "app/ca/pickup.hpp"
#include "app/ca/renewal_overlap.hpp"
#include "app/ca/unpicked_revocation.hpp"
#include "app/core/housekeeping.hpp"
#include "app/core/outbox_worker.hpp"
#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "cli/runtime.hpp"
#include "pki/issuing_ca.hpp"
#include "store/database.hpp"
#include "web/server.hpp"

namespace onshi::cli {
namespace {

struct ServeFlags {
  std::string listen;
  std::string smtp_url;
  std::string base_url;
  std::string tls_listen;
  std::string tls_cert;
  std::string tls_key;
};

void run_serve(const GlobalOptions& globals, const ServeFlags& flags) {
  Runtime rt(globals, [&](app::Config& c) {
    if (!flags.listen.empty()) c.listen = flags.listen;
    if (!flags.smtp_url.empty()) c.smtp_url = flags.smtp_url;
    if (!flags.base_url.empty()) c.base_url = flags.base_url;
    if (!flags.tls_listen.empty()) c.tls_listen = flags.tls_listen;
    if (!flags.tls_cert.empty()) c.tls_cert_file = flags.tls_cert;
    if (!flags.tls_key.empty()) c.tls_key_file = flags.tls_key;
  });
  const auto& config = rt.config();
  // The embedded database has one node, which may migrate it; a shared server's schema changes
  // only by `onshi db migrate`, so that nodes of two versions never migrate it under each other.
  if (store::is_embedded_database(config.database_url)) {
    if (const int applied = rt.db().migrate(); applied > 0)
      spdlog::info("applied {} migration(s)", applied);
  } else if (const int have = rt.db().schema_version(), want = store::current_schema_version();
             have != want) {
    spdlog::error(
        "the database at {} has schema version {}, this onshi uses {}: {}",
        store::redacted_database_url(config.database_url), have, want,
        have < want ? "run `onshi db migrate` once, then start the nodes" : "start a newer onshi");
    throw CLI::RuntimeError(2);
  }
  const auto [host, port] = split_host_port(config.listen, "--listen");
  web::ServerOptions options{host, port, config.threads, config.max_body_bytes, std::nullopt,
                             true, {}};
  options.password_threads = config.password_threads;
  options.password_queue = static_cast<std::size_t>(config.password_queue);
  options.read_timeout = std::chrono::seconds(config.read_timeout);
  if (auto trusted = web::parse_trusted_proxies(config.trusted_proxies)) {
    options.trusted_proxies = std::move(*trusted);
  } else {
    throw std::runtime_error("server.trusted_proxies: not an address or a network: " +
                             trusted.error());
  }
  if (!config.tls_listen.empty()) {
    const auto [tls_host, tls_port] = split_host_port(config.tls_listen, "--tls-listen");
    options.tls.emplace();
    options.tls->host = tls_host;
    options.tls->port = tls_port;
    options.tls->cert_file = config.tls_cert_file;
    options.tls->key_file = config.tls_key_file;
  }
  if (rt.load_ca()) {
    spdlog::info("certificate authority loaded from {}", config.ca_dir);
    // Client certificates are verified against our own CA, issuing and root.
    if (options.tls) options.tls->client_ca_pem = rt.services().ca->issuing().chain_pem();
  } else {
    spdlog::warn("no certificate authority in {}: issuing is unavailable until `onshi ca init`",
                 config.ca_dir);
    if (options.tls) spdlog::warn("the TLS listener asks for no client certificate without a CA");
  }

  // Issuances a crash left between their steps (app/ca/issuance.hpp).
  if (const int abandoned = app::resolve_interrupted_issuance(rt.services()); abandoned > 0)
    spdlog::warn("abandoned {} certificate reservation(s) of interrupted issuances", abandoned);

  if (const int filled = app::fill_in_issuer_key_ids(rt.services()); filled > 0)
    spdlog::info("recorded the issuing CA of {} certificate(s) issued before migration 0013",
                 filled);

  // Before the first request: each issuing CA generation's OCSP responder, loaded (and issued
  // when missing), so that OCSP never answers tryLater once the server listens.
  if (const int issued = app::renew_ocsp_responders(rt.services()); issued > 0)
    spdlog::info("issued {} OCSP responder certificate(s)", issued);

  web::Metrics metrics;
  web::Site site(rt.services(), metrics);
  app::OutboxWorker worker(rt.services());
  worker.start();
  // Nodes on one database run the sweeps of its rows once between them, each under its lease
  // (app/core/housekeeping.hpp); each was safe on every node at once already, so the lease saves
  // the work done twice and the conflicts of two nodes changing the same rows.
  spdlog::info("node {}", app::node_id());
  app::Housekeeping housekeeping(
      rt.services(),
      {{"lapsed pickup(s) closed", app::close_lapsed_pickups, "pickups.close_lapsed"},
       {"unpicked certificate(s) revoked", app::revoke_unpicked_certificates,
        "certificates.revoke_unpicked"},
       {"renewed certificate(s) revoked after the overlap", app::revoke_renewed_certificates,
        "certificates.revoke_renewed"},
       // On every node: each node loads its responder certificate into its own memory; a
       // renewal two nodes race to issue is stored once (try_insert_ocsp_responder).
       {"OCSP responder certificate(s) renewed", app::renew_ocsp_responders},
       {"OCSP response(s) signed", app::refresh_ocsp_responses, "ocsp.refresh_responses"}});
  housekeeping.start();
  // Its own thread and a short period: a revocation must reach the CRLs within
  // pki.crl_revocation_delay_seconds, the other sweeps only within minutes. Leased too: two
  // nodes publishing at once would each publish a CRL of their own. Its lease lasts three
  // periods, so that when the node publishing dies another has taken over within the delay.
  app::Housekeeping crl_publisher(
      rt.services(),
      {{"CRL(s) published", [](const app::Services& s) { return app::publish_crls(s); },
        "crl.publish"}},
      app::crl_job_period(config));
  crl_publisher.start();
  // 有効期限のお知らせ, on its own period (hourly by default: its thresholds are days). Leased so
  // that one node sweeps; a reminder is recorded once whichever node runs it (expiry_reminders).
  app::Housekeeping reminders(
      rt.services(),
      {{"certificate(s) reminded of their expiry",
        [](const app::Services& s) { return app::send_expiry_reminders(s).certificates; },
        "certificates.expiry_reminders"}},
      std::chrono::seconds{config.reminder_interval_seconds});
  reminders.start();
  web::serve(site, options, [&] {
    std::cout << "onshi: serving " << config.base_url << " (listening on " << config.listen << ")"
              << std::endl;
    if (options.tls)
      std::cout << "onshi: serving https://" << config.tls_listen << " (TLS)" << std::endl;
    spdlog::info("listening on {}{}; mail via {} from {}", config.listen,
                 options.tls ? " and " + config.tls_listen + " (TLS)" : std::string(),
                 config.smtp_url, config.mail_from);
  });
  reminders.stop();
  crl_publisher.stop();
  housekeeping.stop();
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
  cmd->add_option("--tls-listen", flags->tls_listen,
                  "HOST:PORT of a TLS listener beside the plain one (default: none)");
  cmd->add_option("--tls-cert", flags->tls_cert,
                  "PEM certificate of the TLS listener, then the issuing CA's");
  cmd->add_option("--tls-key", flags->tls_key, "PEM private key of the TLS listener");
  cmd->callback([&globals, flags] { run_serve(globals, *flags); });
}

}  // namespace onshi::cli
