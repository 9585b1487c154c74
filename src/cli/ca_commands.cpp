// `onshi ca init|show|reissue-issuing|sign-root-crl|server-cert`: the certificate authority's
// ceremony commands. The root key is used only here (init, re-issuing the issuing CA, the ARL),
// never by `onshi serve`.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "app/ca/certificate_authority.hpp"
#include "cli/commands.hpp"
#include "cli/runtime.hpp"
#include "pki/authority.hpp"
#include "pki/crl.hpp"
#include "pki/issuing_ca.hpp"

namespace onshi::cli {
namespace {

void print(const pki::CaDescription& d) {
  std::cout << "key store: " << d.key_store << '\n';
  for (const auto* c : {&d.root, &d.issuing}) {
    std::cout << '\n'
              << (c == &d.root ? "root CA" : "issuing CA") << '\n'
              << "  subject:     " << c->subject << '\n'
              << "  issuer:      " << c->issuer << '\n'
              << "  serial:      " << c->serial_hex << '\n'
              << "  key:         " << c->key_algorithm << '\n'
              << "  not before:  " << c->not_before_utc << '\n'
              << "  not after:   " << c->not_after_utc << '\n'
              << "  SHA-256:     " << c->sha256_fingerprint << '\n';
  }
}

void init(const GlobalOptions& globals) {
  Runtime rt(globals);
  const auto& c = rt.config();
  const auto keys = app::key_store_config(c);
  if (keys.kind == "file" && keys.passphrase.size() < 12) {
    throw std::runtime_error(
        "the CA passphrase (pki.passphrase_file or ONSHI_CA_PASSPHRASE) must be at least 12 "
        "characters");
  }
  std::filesystem::create_directories(keys.dir);
  // The folder holds the sealed CA keys and the pickup-code secret: its owner's alone, whatever
  // the umask (deploy.md copies it to the nodes as it is).
  std::filesystem::permissions(keys.dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace);
  const auto d = pki::init_ca(keys, app::ca_settings(c), std::chrono::system_clock::now());
  // Opened once so that the folder holds everything a node needs (pickup-codes.secret among it)
  // before it is copied to the nodes: each copy must seal and open pickup codes alike.
  if (!rt.load_ca()) throw std::runtime_error("the new certificate authority does not open");
  std::cout << "created a certificate authority in " << keys.dir.string() << '\n';
  print(d);
}

void show(const GlobalOptions& globals, bool pem) {
  Runtime rt(globals);
  const auto d = pki::describe_ca(app::key_store_config(rt.config()));
  print(d);
  if (pem) std::cout << '\n' << d.issuing.pem << d.root.pem;
}

void reissue(const GlobalOptions& globals) {
  Runtime rt(globals);
  const auto& c = rt.config();
  const auto d = pki::reissue_issuing_ca(app::key_store_config(c), app::ca_settings(c),
                                         std::chrono::system_clock::now());
  std::cout << "issued a new issuing CA; restart `onshi serve` to sign with it\n";
  print(d);
}

struct RootCrlFlags {
  std::string revoke;
  std::string reason;
};

// The RFC 5280 names of the reasons an issuing CA certificate may be revoked for (CPIPCS 7.2.2).
std::optional<int> ca_reason(const std::string& name) {
  if (name == "cACompromise") return 2;
  if (name == "superseded") return 4;
  if (name == "cessationOfOperation") return 5;
  return std::nullopt;
}

void sign_root_crl(const GlobalOptions& globals, const RootCrlFlags& f) {
  Runtime rt(globals);
  const auto& c = rt.config();
  std::optional<pki::RootCrlRevocation> revoke;
  if (!f.revoke.empty() || !f.reason.empty()) {
    const auto reason = ca_reason(f.reason);
    if (f.revoke.empty() || !reason) {
      std::cerr << "onshi ca sign-root-crl: --revoke SERIAL needs --reason cACompromise, "
                   "superseded or cessationOfOperation\n";
      throw CLI::RuntimeError(2);
    }
    revoke = pki::RootCrlRevocation{f.revoke, *reason};
  }
  const auto signed_crl =
      pki::sign_root_crl(app::key_store_config(c), revoke, std::chrono::system_clock::now());
  if (!signed_crl) {
    std::cerr << "onshi ca sign-root-crl: " << pki::root_crl_error_text(signed_crl.error()) << '\n';
    throw CLI::RuntimeError(2);
  }
  const auto& summary = signed_crl->summary;
  std::cout << fmt::format(
      "wrote {}: ARL number {}, thisUpdate {:%Y-%m-%dT%H:%M:%SZ}, nextUpdate "
      "{:%Y-%m-%dT%H:%M:%SZ}, {} revoked issuing CA certificate(s)\n",
      (std::filesystem::path(c.ca_dir) / "root.crl").string(), summary.number,
      std::chrono::floor<std::chrono::seconds>(summary.this_update),
      std::chrono::floor<std::chrono::seconds>(summary.next_update), summary.entries);
  for (const auto& r : signed_crl->revoked)
    std::cout << fmt::format("  revoked: serial {} reason {}\n", r.serial_hex, r.reason);
}

// Writes `text` to `path` with `mode`, replacing a file that is there (a development certificate
// is re-made at will); the mode is set on the descriptor, so a key is never readable by others.
void write_file(const std::filesystem::path& path, std::string_view text, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0 || ::fchmod(fd, mode) != 0) {
    throw std::runtime_error(
        fmt::format("cannot write {}: {}", path.string(), std::strerror(errno)));
  }
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      throw std::runtime_error("could not write " + path.string());
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0)
    throw std::runtime_error("could not sync " + path.string());
}

struct ServerCertFlags {
  std::vector<std::string> dns, ip;
  std::string out;
};

void server_cert(const GlobalOptions& globals, const ServerCertFlags& f) {
  Runtime rt(globals);
  auto ca = pki::IssuingCa::open(app::key_store_config(rt.config()));
  auto issued = ca->issue_server_certificate(f.dns, f.ip, std::chrono::system_clock::now());
  if (!issued) {
    std::cerr << "onshi ca server-cert: " << pki::server_name_error_text(issued.error()) << '\n';
    throw CLI::RuntimeError(2);
  }
  const std::filesystem::path dir(f.out);
  std::filesystem::create_directories(dir);
  write_file(dir / "server.crt", issued->chain_pem, 0644);
  write_file(dir / "server.key", issued->private_key_pem, 0600);
  std::cout << fmt::format(
      "wrote {} (the server's certificate, then the issuing CA's) and {}\n"
      "serial {}\n",
      (dir / "server.crt").string(), (dir / "server.key").string(), issued->serial_hex);
}

}  // namespace

void register_ca_commands(CLI::App& root, GlobalOptions& globals) {
  auto* ca = root.add_subcommand("ca", "The certificate authority (docs/pki.md)");
  ca->require_subcommand(1);
  ca->add_subcommand("init", "Create the root and issuing CA in pki.dir (once)")
      ->callback([&globals] { init(globals); });
  auto pem = std::make_shared<bool>(false);
  auto* show_cmd = ca->add_subcommand("show", "Print the CA chain and fingerprints");
  show_cmd->add_flag("--pem", *pem, "Also print the certificates in PEM");
  show_cmd->callback([&globals, pem] { show(globals, *pem); });
  ca->add_subcommand("reissue-issuing", "New issuing CA key and certificate, signed by the root")
      ->callback([&globals] { reissue(globals); });
  auto arl = std::make_shared<RootCrlFlags>();
  auto* arl_cmd = ca->add_subcommand(
      "sign-root-crl", "Sign the root CA's ARL (root.crl in pki.dir) with the root key");
  arl_cmd->add_option("--revoke", arl->revoke,
                      "Serial (hex) of an issuing CA certificate to revoke, kept for later ARLs");
  arl_cmd->add_option("--reason", arl->reason,
                      "cACompromise, superseded or cessationOfOperation (with --revoke)");
  arl_cmd->callback([&globals, arl] { sign_root_crl(globals, *arl); });
  auto flags = std::make_shared<ServerCertFlags>();
  auto* server = ca->add_subcommand(
      "server-cert", "A TLS server certificate for onshi serve, issued by the issuing CA");
  server->add_option("--dns", flags->dns, "A DNS name of the server (repeatable)");
  server->add_option("--ip", flags->ip, "An IP address of the server (repeatable)");
  server->add_option("--out", flags->out, "Folder for server.crt and server.key (mode 0600)")
      ->required();
  server->callback([&globals, flags] { server_cert(globals, *flags); });
}

}  // namespace onshi::cli
