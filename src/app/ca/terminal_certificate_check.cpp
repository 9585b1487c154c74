// 接続確認 in a browser: the chain verified by OpenSSL as the TLS listener verifies it (but at the
// services' clock and saying why not), then the certificate looked up in the database as EST
// re-enrolment looks it up (by serial, then byte for byte), for its 失効.
#include "app/ca/terminal_certificate_check.hpp"

#include <algorithm>
#include <cctype>

#include "app/ca/certificate_authority.hpp"
#include "app/ca/own_revocation.hpp"
#include "domain/certificate_state.hpp"
#include "pki/issuing_ca.hpp"
#include "util/text.hpp"

namespace onshi::app {
namespace {

constexpr store::Millis kDayMs = 24LL * 60 * 60 * 1000;

store::Millis to_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// A client's text as a page may show it: anything that could reorder or hide what is around it
// (control and bidirectional formatting characters) or is not UTF-8 is dropped whole.
std::string shown(std::string text) {
  if (!util::is_valid_utf8(text) || util::has_control_chars(text)) return {};
  return text;
}

// "T01" of the CN "1310000001-T01"; "" when it is not shaped so.
std::string terminal_of(std::string_view common_name) {
  const auto dash = common_name.rfind('-');
  if (dash == std::string_view::npos) return {};
  return std::string(common_name.substr(dash + 1));
}

std::optional<TerminalVerdict> verdict_of(const std::vector<pki::ChainProblem>& problems) {
  // Another CA's certificate is that first: its dates or purpose are no business of ours.
  for (const auto& [problem, verdict] :
       {std::pair{pki::ChainProblem::other_ca, TerminalVerdict::not_ours},
        std::pair{pki::ChainProblem::not_yet_valid, TerminalVerdict::not_yet_valid},
        std::pair{pki::ChainProblem::expired, TerminalVerdict::expired},
        std::pair{pki::ChainProblem::wrong_purpose, TerminalVerdict::wrong_purpose},
        std::pair{pki::ChainProblem::other, TerminalVerdict::unverified}}) {
    if (std::ranges::find(problems, problem) != problems.end()) return verdict;
  }
  return std::nullopt;
}

std::optional<store::CertificateRecord> stored(const Services& s, const std::string& serial_hex,
                                               const std::string& der) {
  if (serial_hex.empty()) return std::nullopt;
  std::optional<store::CertificateRecord> c;
  s.db.read(
      [&](store::ReadTx& tx) { c = tx.certificates().find_certificate_by_serial(serial_hex); });
  // Another CA's certificate may carry the very serial of one of ours.
  if (c && c->der != der) return std::nullopt;
  return c;
}

}  // namespace

std::string_view terminal_verdict_key(TerminalVerdict v) {
  switch (v) {
    case TerminalVerdict::not_tls:
      return "not_tls";
    case TerminalVerdict::no_certificate:
      return "no_certificate";
    case TerminalVerdict::unreadable:
      return "unreadable";
    case TerminalVerdict::not_ours:
      return "not_ours";
    case TerminalVerdict::not_yet_valid:
      return "not_yet_valid";
    case TerminalVerdict::expired:
      return "expired";
    case TerminalVerdict::wrong_purpose:
      return "wrong_purpose";
    case TerminalVerdict::unverified:
      return "unverified";
    case TerminalVerdict::unknown:
      return "unknown";
    case TerminalVerdict::revoked:
      return "revoked";
    case TerminalVerdict::usable:
      return "usable";
  }
  return "unverified";
}

Result<TerminalCertificateCheck> check_terminal_certificate(const Services& s,
                                                            const PresentedChain& chain) {
  TerminalCertificateCheck out;
  if (s.ca) out.our_issuer = common_name_of(s.ca->issuing().generations().front().subject);
  if (!chain.tls) {
    out.verdict = TerminalVerdict::not_tls;
    return out;
  }
  if (chain.certificates.empty()) {
    out.verdict = TerminalVerdict::no_certificate;
    return out;
  }
  if (!s.ca) {
    return std::unexpected(Failure::of(FailureCode::unavailable, "terminal_check_page.no_ca"));
  }
  std::vector<std::string> intermediates;
  for (auto& g : s.ca->issuing().generations()) intermediates.push_back(std::move(g.der));
  const auto seen = pki::examine_presented_chain(chain.certificates, s.ca->issuing().root_der(),
                                                 intermediates, s.clock.now());
  if (!seen.readable) {
    out.verdict = TerminalVerdict::unreadable;
    return out;
  }
  out.has_certificate = true;
  out.institution_code = shown(seen.organizational_unit);
  out.institution_name = shown(seen.organization);
  out.common_name = shown(seen.common_name);
  out.terminal = terminal_of(out.common_name);
  out.issuance_number = shown(seen.serial_number);
  out.serial_hex = seen.serial_hex;
  out.issuer = shown(seen.issuer_common_name);
  out.not_before = to_ms(seen.not_before);
  out.not_after = to_ms(seen.not_after);
  const auto left = out.not_after - s.now_ms();
  // Whole days, rounded down: 89 days and 23 hours is 89 days.
  out.days_left = left >= 0 ? left / kDayMs : -((-left + kDayMs - 1) / kDayMs);
  out.problems = seen.problems;
  out.from_this_ca =
      std::ranges::find(seen.problems, pki::ChainProblem::other_ca) == seen.problems.end();
  out.openssl_error = seen.openssl_error;

  out.ours = stored(s, seen.serial_hex, chain.certificates.front());
  if (out.ours) {
    // What the database holds is what was issued; the certificate's own text says the same.
    out.terminal = out.ours->terminal;
    out.issuance_number = out.ours->issuance_number;
    out.renewed_since = out.ours->replaced_at.has_value() && out.ours->renewed;
  }
  if (const auto refused = verdict_of(seen.problems)) {
    out.verdict = *refused;
  } else if (!out.ours) {
    out.verdict = TerminalVerdict::unknown;
  } else if (out.ours->revoked_at || out.ours->status == domain::CertificateState::revoked) {
    out.verdict = TerminalVerdict::revoked;
  } else {
    out.verdict = TerminalVerdict::usable;
    out.expiring_soon = out.days_left < kExpiryWarningDays;
  }
  return out;
}

namespace {

// The host of a Host header without its port: a name or IPv4 address of letters, digits, '-'
// and '.', or a bracketed IPv6 address; "" for anything else.
std::string host_of(std::string_view header) {
  header = util::trim(header);
  std::string_view host;
  if (header.starts_with('[')) {
    const auto close = header.find(']');
    if (close == std::string_view::npos) return {};
    host = header.substr(0, close + 1);
    const auto inside = host.substr(1, host.size() - 2);
    if (inside.empty() || !std::ranges::all_of(inside, [](char c) {
          return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
        }))
      return {};
  } else {
    host = header.substr(0, header.find(':'));
    if (host.empty() || !std::ranges::all_of(host, [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
        }))
      return {};
  }
  if (host.size() > 253) return {};
  return std::string(host);
}

}  // namespace

std::string terminal_check_https_url(const Config& c, std::string_view host_header) {
  const auto colon = c.tls_listen.rfind(':');
  if (c.tls_listen.empty() || colon == std::string::npos) return {};
  std::string host = c.tls_listen.substr(0, colon);
  const std::string port = c.tls_listen.substr(colon + 1);
  if (host.empty() || host == "0.0.0.0" || host == "[::]" || host == "::" || host == "*") {
    host = host_of(host_header);
    if (host.empty()) return {};
  }
  std::string url = "https://" + host;
  if (port != "443") url.append(":").append(port);
  return url.append("/terminal-check");
}

}  // namespace onshi::app
