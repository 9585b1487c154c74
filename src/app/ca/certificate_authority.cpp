#include "app/ca/certificate_authority.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "app/ca/ocsp_keys.hpp"
#include "pki/authority.hpp"
#include "pki/issuing_ca.hpp"
#include "pki/keys.hpp"
#include "pki/terminal_profile.hpp"
#include "util/secrets.hpp"

namespace onshi::app {
namespace {

std::string read_secret_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("cannot read {}", path));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// A file setting wins over the environment, so a production config cannot be overridden by a
// stray variable; the environment is what tests and containers use.
std::string secret_setting(const std::string& file, const char* env) {
  if (!file.empty()) return read_secret_file(file);
  if (const char* v = std::getenv(env)) return v;
  return {};
}

pki::KeyAlgorithm algorithm(const std::string& text, std::string_view setting) {
  if (auto a = pki::parse_key_algorithm(text)) return *a;
  throw std::runtime_error(fmt::format(
      "pki.{}: unknown key algorithm '{}' (ec-p256, ec-p384, rsa-2048, rsa-3072)", setting, text));
}

// 32 random bytes beside the CA, made on first use with mode 0600. Nodes sharing the folder may
// start at once: each writes a candidate of its own and links it into place, the first link wins
// and every node reads the file, never its own candidate.
std::string load_seal_key(const std::filesystem::path& dir) {
  const auto path = dir / "pickup-codes.secret";
  if (!std::filesystem::exists(path)) {
    const auto candidate = dir / fmt::format("pickup-codes.secret.{}.tmp", util::random_token(9));
    const std::string key = util::random_bytes(32);
    {
      const auto old_mask = ::umask(077);
      std::ofstream out(candidate, std::ios::binary);
      ::umask(old_mask);
      out.write(key.data(), static_cast<std::streamsize>(key.size()));
      out.flush();
      if (!out) throw std::runtime_error(fmt::format("cannot write {}", candidate.string()));
    }
    std::error_code linked;
    std::filesystem::create_hard_link(candidate, path, linked);
    std::error_code ignored;
    std::filesystem::remove(candidate, ignored);
    if (linked && linked != std::errc::file_exists)
      throw std::runtime_error(fmt::format("cannot write {}: {}", path.string(), linked.message()));
  }
  std::ifstream in(path, std::ios::binary);
  std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (key.size() != 32) throw std::runtime_error(fmt::format("{}: not 32 bytes", path.string()));
  return key;
}

}  // namespace

pki::KeyStoreConfig key_store_config(const Config& c) {
  pki::KeyStoreConfig k;
  if (c.ca_key_store != "file" && c.ca_key_store != "pkcs11") {
    throw std::runtime_error(
        fmt::format("pki.key_store: '{}' is neither file nor pkcs11", c.ca_key_store));
  }
  k.kind = c.ca_key_store;
  k.dir = c.ca_dir;
  k.passphrase = secret_setting(c.ca_passphrase_file, "ONSHI_CA_PASSPHRASE");
  k.pkcs11_module = c.pkcs11_module;
  k.pkcs11_token_label = c.pkcs11_token;
  k.pkcs11_pin = secret_setting(c.pkcs11_pin_file, "ONSHI_PKCS11_PIN");
  return k;
}

pki::CaSettings ca_settings(const Config& c) {
  pki::CaSettings s;
  s.root_algorithm = algorithm(c.root_key_algorithm, "root_key_algorithm");
  s.issuing_algorithm = algorithm(c.issuing_key_algorithm, "issuing_key_algorithm");
  s.root_validity_years = c.root_validity_years;
  s.issuing_validity_years = c.issuing_validity_years;
  s.root_subject = c.root_subject;
  s.issuing_subject = c.issuing_subject;
  s.root_crl_url = c.root_crl_url;
  s.root_ca_issuers_url = c.root_ca_issuers_url;
  return s;
}

pki::TerminalProfile terminal_profile(const Config& c) {
  pki::TerminalProfile p;
  p.validity_months = c.terminal_validity_months;
  p.crl_url = c.crl_url;
  p.delta_crl_url = c.delta_crl_url;
  p.ocsp_url = c.ocsp_url;
  p.ca_issuers_url = c.ca_issuers_url;
  p.policy_oid = c.policy_oid;
  p.cps_url = c.base_url + "/cpipcs/full";  // the full CP/CPS, not the clinic summary
  p.generated_key = algorithm(c.terminal_key_algorithm, "terminal_key_algorithm");
  return p;
}

std::unique_ptr<CertificateAuthority> CertificateAuthority::open(const Config& config) {
  const auto keys = key_store_config(config);
  if (!pki::ca_exists(keys)) return nullptr;
  auto ca = std::make_unique<CertificateAuthority>();
  ca->issuing_ = pki::IssuingCa::open(keys);
  ca->profile_ = std::make_unique<pki::TerminalProfile>(terminal_profile(config));
  ca->seal_key_ = load_seal_key(keys.dir);
  ca->ocsp_keys_ = std::make_unique<OcspKeys>(*ca->issuing_);
  return ca;
}

CertificateAuthority::CertificateAuthority() = default;
CertificateAuthority::~CertificateAuthority() = default;

std::string CertificateAuthority::seal(std::string_view secret) const {
  return util::seal_secret(seal_key_, secret);
}

std::optional<std::string> CertificateAuthority::unseal(std::string_view sealed) const {
  return util::open_sealed(seal_key_, sealed);
}

std::optional<std::string> ca_certificate_der(const CertificateAuthority* ca, CaCertificate which) {
  if (!ca) return std::nullopt;
  return which == CaCertificate::issuing ? ca->issuing().issuing_der() : ca->issuing().root_der();
}

}  // namespace onshi::app
