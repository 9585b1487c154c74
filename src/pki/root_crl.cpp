// The root's ARL (CPIPCS 7.2.2), signed at the ceremony with the offline root key.
#include "pki/ca_folder.hpp"
#include "pki/crl.hpp"
#include "pki/crl_encoder.hpp"
#include "pki/issuing_ca_impl.hpp"
#include "pki/key_store.hpp"
#include "pki/terminal_profile.hpp"

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace onshi::pki {
namespace fs = std::filesystem;

namespace {

// The last cRLNumber used, in decimal; and one line per revoked issuing CA certificate:
// "<serial hex> <reason> <revocation time, seconds since 1970>".
constexpr const char* kRootCrlNumber = "root-crl-number";
constexpr const char* kRootCrlRevoked = "root-crl-revoked";
constexpr const char* kRootCrl = "root.crl";

struct Listed {
  std::string serial_hex;
  int reason = 0;
  std::int64_t revoked_at = 0;
};

// A serial as typed: colons or spaces between octets (openssl prints them so), any case.
std::string normalized_serial(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == ':' || c == ' ') continue;
    out.push_back(static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c));
  }
  // As ossl::serial_hex writes it: whole octets, no leading zero octet.
  const auto first = out.find_first_not_of('0');
  if (first == std::string::npos) return {};
  out.erase(0, first);
  if (out.size() % 2 == 1) out.insert(out.begin(), '0');
  return out;
}

std::vector<Listed> read_revoked(const KeyStoreConfig& cfg) {
  std::vector<Listed> out;
  const fs::path path = cfg.dir / kRootCrlRevoked;
  if (!fs::exists(path)) return out;
  std::istringstream in(ossl::read_file(path.string()));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    Listed l;
    if (!(fields >> l.serial_hex >> l.reason >> l.revoked_at))
      throw std::runtime_error("damaged " + path.string() + ": " + line);
    out.push_back(l);
  }
  return out;
}

void write_revoked(const KeyStoreConfig& cfg, const std::vector<Listed>& list) {
  std::string text;
  for (const auto& l : list) {
    text.append(l.serial_hex).append(" ").append(std::to_string(l.reason));
    text.append(" ").append(std::to_string(l.revoked_at)).append("\n");
  }
  ossl::write_file_atomic((cfg.dir / kRootCrlRevoked).string(), text, 0644);
}

// The serials of the issuing CA certificates the folder holds: issuing.crt and the earlier ones.
std::vector<std::string> issuing_serials(const KeyStoreConfig& cfg) {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(cfg.dir)) {
    const std::string name = entry.path().filename().string();
    if (name == detail::kIssuingCert || (name.starts_with("issuing-") && name.ends_with(".crt"))) {
      ossl::Cert cert = ossl::cert_from_pem(ossl::read_file(entry.path().string()));
      if (cert) out.push_back(normalized_serial(ossl::serial_hex(cert.get())));
    }
  }
  return out;
}

std::int64_t next_number(const KeyStoreConfig& cfg) {
  const fs::path path = cfg.dir / kRootCrlNumber;
  std::int64_t last = 0;
  if (fs::exists(path)) {
    const std::string text = ossl::read_file(path.string());
    try {
      std::size_t used = 0;
      last = std::stoll(text, &used);
      if (text.find_first_not_of(" \n", used) != std::string::npos || last < 0)
        throw std::invalid_argument(text);
    } catch (const std::logic_error&) {
      throw std::runtime_error("damaged " + path.string());
    }
  }
  // Written before the signature: a crash afterwards loses a number, never repeats one.
  ossl::write_file_atomic(path.string(), std::to_string(last + 1) + "\n", 0644);
  return last + 1;
}

}  // namespace

std::string_view root_crl_error_text(RootCrlError e) {
  switch (e) {
    case RootCrlError::unknown_certificate:
      return "no issuing CA certificate with that serial in the CA folder";
    case RootCrlError::already_revoked:
      return "that issuing CA certificate is revoked already";
    case RootCrlError::reason_not_allowed:
      return "the reason must be cACompromise, superseded or cessationOfOperation";
  }
  return "?";
}

std::expected<RootCrl, RootCrlError> sign_root_crl(const KeyStoreConfig& cfg,
                                                   const std::optional<RootCrlRevocation>& revoke,
                                                   std::chrono::system_clock::time_point now) {
  using namespace std::chrono;
  detail::check_key_store(cfg);
  ossl::Cert root = detail::read_ca_certificate(cfg, detail::kRootCert);
  std::vector<Listed> listed = read_revoked(cfg);
  const auto this_update = floor<seconds>(now);
  if (revoke) {
    if (revoke->reason != 2 && revoke->reason != 4 && revoke->reason != 5)
      return std::unexpected(RootCrlError::reason_not_allowed);
    const std::string serial = normalized_serial(revoke->serial_hex);
    const auto known = issuing_serials(cfg);
    if (serial.empty() || std::ranges::find(known, serial) == known.end())
      return std::unexpected(RootCrlError::unknown_certificate);
    if (std::ranges::any_of(listed, [&](const Listed& l) { return l.serial_hex == serial; }))
      return std::unexpected(RootCrlError::already_revoked);
    listed.push_back({serial, revoke->reason, this_update.time_since_epoch().count()});
  }
  // The key first: a wrong passphrase leaves the folder as it was.
  ossl::Pkey key = detail::load_ca_key(cfg, detail::kRootKey, root.get());
  if (revoke) write_revoked(cfg, listed);

  CrlFields fields;
  fields.number = next_number(cfg);
  fields.this_update = this_update;
  fields.next_update = add_months_clamped(this_update, 12);
  detail::CrlEncoder encoder(root.get(), key.get(), fields,
                             detail::CrlEncoder::Scope::ca_certificates);
  RootCrl out;
  for (const auto& l : listed) {
    encoder.add({l.serial_hex, system_clock::time_point(seconds(l.revoked_at)), l.reason, {}});
    out.revoked.push_back({l.serial_hex, l.reason});
  }
  out.der = encoder.sign(detail::signing_mutex());
  ossl::write_file_atomic((cfg.dir / kRootCrl).string(), out.der, 0644);
  out.summary = summarize_crl(out.der);
  return out;
}

}  // namespace onshi::pki
