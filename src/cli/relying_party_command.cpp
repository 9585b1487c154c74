// `onshi relying-party`: a stand-in for the online eligibility system at the other end of a
// terminal's connection (docs/relying-party.md). It needs no database and no CA key: only the
// root to trust, its own TLS certificate, and the network to reach the CA's OCSP responder and
// CRLs named in the terminals' certificates.
#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/core/config.hpp"
#include "app/core/messages.hpp"
#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "cli/global_options.hpp"
#include "pki/certificate_status.hpp"
#include "web/relying_party/relying_party.hpp"
#include "web/server.hpp"

namespace onshi::cli {
namespace {

struct RelyingPartyFlags {
  std::string listen = "127.0.0.1:8444";
  std::string tls_cert, tls_key, ca_file;
  std::string metrics_listen = "127.0.0.1:9464";
  int status_max_age = 300;
  int fetch_timeout_ms = 3000;
  int threads = 4;
};

void run(const GlobalOptions& globals, const RelyingPartyFlags& f) {
  if (f.status_max_age < 1) throw std::runtime_error("--status-max-age must be at least 1");
  if (f.fetch_timeout_ms < 100) throw std::runtime_error("--fetch-timeout-ms must be at least 100");
  if (f.threads < 1) throw std::runtime_error("--threads must be at least 1");
  // Only the resources folder and the desk's name: the messages it answers with.
  const auto config = app::load_config(globals.data_dir, globals.config_file);
  const auto messages = app::Messages::load(
      std::filesystem::path(config.resources) / "data" / "messages.ja.toml", config.contact.name);
  const auto roots = read_file("--ca", f.ca_file);

  pki::StatusChecker::Options checks;
  checks.max_age = std::chrono::seconds(f.status_max_age);
  checks.fetch.timeout = std::chrono::milliseconds(f.fetch_timeout_ms);
  pki::StatusChecker checker(pki::TrustAnchors(roots), checks);

  // The structured log: bare JSON lines on stderr, beside the usual log lines.
  auto access = spdlog::stderr_logger_mt("relying_party");
  access->set_pattern("%v");
  web::relying_party::RelyingParty rp(checker, messages,
                                      {[access](const std::string& line) { access->info(line); }});

  web::ServerOptions options;
  options.threads = f.threads;
  options.max_body_bytes = 64 * 1024;
  if (f.metrics_listen == "none") {
    options.plain = false;
  } else {
    std::tie(options.host, options.port) = split_host_port(f.metrics_listen, "--metrics-listen");
  }
  auto& tls = options.tls.emplace();
  std::tie(tls.host, tls.port) = split_host_port(f.listen, "--listen");
  tls.cert_file = f.tls_cert;
  tls.key_file = f.tls_key;
  // The names the CertificateRequest lists, so that a browser or Windows offers the right one.
  tls.client_ca_pem = roots;
  tls.on_handshake = [&rp](const web::TlsHandshake& h) { rp.on_handshake(h); };

  web::serve(rp.responder(), options, [&] {
    std::cout << "onshi: relying party on https://" << f.listen << " (mutual TLS)" << std::endl;
    if (options.plain)
      std::cout << "onshi: metrics on http://" << f.metrics_listen << "/metrics" << std::endl;
    spdlog::info("relying party listening on {}; status answers kept up to {} s", f.listen,
                 f.status_max_age);
  });
  spdlog::info("stopped");
}

}  // namespace

void register_relying_party_command(CLI::App& root, GlobalOptions& globals) {
  auto f = std::make_shared<RelyingPartyFlags>();
  auto* cmd = root.add_subcommand(
      "relying-party",
      "接続確認: a mutual-TLS server that accepts only valid, unrevoked terminal certificates "
      "(GET /whoami, POST /eligibility)");
  cmd->add_option("--listen", f->listen, "HOST:PORT of the mutual-TLS listener")
      ->capture_default_str();
  cmd->add_option("--tls-cert", f->tls_cert,
                  "PEM certificate of the listener, then its issuing CA's (onshi ca server-cert)")
      ->required();
  cmd->add_option("--tls-key", f->tls_key, "PEM private key of the listener")->required();
  cmd->add_option("--ca", f->ca_file, "PEM root certificate(s) to trust for client certificates")
      ->required();
  cmd->add_option("--metrics-listen", f->metrics_listen,
                  "HOST:PORT of the plain listener for /metrics and /healthz, or none")
      ->capture_default_str();
  cmd->add_option("--status-max-age", f->status_max_age,
                  "Seconds an OCSP answer or a CRL is used before it is asked again (at most "
                  "until its nextUpdate)")
      ->capture_default_str();
  cmd->add_option("--fetch-timeout-ms", f->fetch_timeout_ms,
                  "Time limit of one OCSP or CRL fetch, in milliseconds")
      ->capture_default_str();
  cmd->add_option("--threads", f->threads, "Worker threads")->capture_default_str();
  cmd->callback([&globals, f] { run(globals, *f); });
}

}  // namespace onshi::cli
