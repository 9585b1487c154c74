// `onshi ca init|show|reissue-issuing`: the certificate authority's ceremony commands. The root
// key is used only here (init and re-issuing the issuing CA), never by `onshi serve`.
#include <fmt/format.h>

#include <iostream>

#include "app/ca/certificate_authority.hpp"
#include "cli/commands.hpp"
#include "cli/runtime.hpp"
#include "pki/authority.hpp"

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
  const auto d = pki::init_ca(keys, app::ca_settings(c), std::chrono::system_clock::now());
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
}

}  // namespace onshi::cli
