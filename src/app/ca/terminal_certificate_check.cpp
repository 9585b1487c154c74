// 接続確認 in a browser: the chain verified by pki::TrustAnchors as the TLS listener verifies it
// (our root trusted, the issuing CA certificates as help), but at the services' clock and saying
// what OpenSSL found first; then the certificate looked up in the database as EST re-enrolment
// looks it up (by serial, then byte for byte), for its 失効.
#include "app/ca/terminal_certificate_check.hpp"

#include <algorithm>
#include <cctype>

#include "app/ca/certificate_authority.hpp"
#include "app/ca/own_revocation.hpp"
#include "domain/certificate_state.hpp"
#include "pki/certs_only.hpp"
#include "pki/issuing_ca.hpp"
#include "pki/terminal_profile.hpp"
#include "util/text.hpp"

namespace onshi::app {
namespace {

constexpr store::Millis kDayMs = 24LL * 60 * 60 * 1000;

store::Millis to_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// A client's text as a page may show it: cut to kMaxShownCodePoints (a client may send a name of
// any length), and dropped whole when it is not UTF-8 or holds anything that could reorder or
// hide what is around it (control and bidirectional formatting characters).
std::string shown(std::string_view text) {
  std::string cut = pki::truncate_code_points(text, kMaxShownCodePoints);
  if (!util::is_valid_utf8(cut) || util::has_control_chars(cut)) return {};
  return cut;
}

// Our root to trust and every issuing CA generation still valid as untrusted help, so that a
// browser sending only its own certificate is verified as the TLS listener verifies it.
pki::TrustAnchors anchors_of(const pki::IssuingCa& ca) {
  std::vector<std::string> der{ca.root_der()};
  for (auto& g : ca.generations()) der.push_back(std::move(g.der));
  return pki::TrustAnchors(pki::certificates_pem({der.begin(), der.end()}));
}

struct Refusal {
  std::string_view problem_key;
  TerminalVerdict verdict;
};

// How the page words the first problem OpenSSL met; nullopt when the chain verified. OpenSSL
// checks the dates from the root down, so an expired issuing CA comes before the leaf: a date
// is the certificate's own problem (更新) only when its own dates say so.
std::optional<Refusal> refusal_of(pki::ChainProblem problem, const pki::TerminalIdentity& id,
                                  store::Millis now) {
  switch (problem) {
    case pki::ChainProblem::none:
      return std::nullopt;
    case pki::ChainProblem::unknown_ca:
      return Refusal{"other_ca", TerminalVerdict::not_ours};
    case pki::ChainProblem::not_a_terminal:
      return Refusal{"not_a_terminal", TerminalVerdict::not_ours};
    case pki::ChainProblem::expired:
      if (to_ms(id.not_after) < now) return Refusal{"expired", TerminalVerdict::expired};
      break;
    case pki::ChainProblem::not_yet_valid:
      if (to_ms(id.not_before) > now) {
        return Refusal{"not_yet_valid", TerminalVerdict::not_yet_valid};
      }
      break;
    case pki::ChainProblem::wrong_purpose:
      return Refusal{"wrong_purpose", TerminalVerdict::wrong_purpose};
    default:  // an unreadable certificate after the browser's own, revoked_ca, other
      break;
  }
  return Refusal{"other", TerminalVerdict::unverified};
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
  const std::vector<std::string> presented(
      chain.certificates.begin(),
      chain.certificates.begin() +
          static_cast<std::ptrdiff_t>(std::min(chain.certificates.size(), kMaxPresentedChain)));
  const std::optional<pki::TerminalIdentity> id = pki::describe_certificate(presented.front());
  if (!id) {
    out.verdict = TerminalVerdict::unreadable;
    return out;
  }
  const auto verified = anchors_of(s.ca->issuing()).verify(presented, s.clock.now());
  out.has_certificate = true;
  out.institution_code = shown(id->institution_code);
  out.institution_name = shown(id->institution_name);
  out.common_name = shown(id->common_name);
  out.terminal = shown(id->terminal);
  out.issuance_number = shown(id->issuance_number);
  out.serial_hex = id->serial_hex;
  out.issuer = shown(id->issuer_common_name.empty() ? id->issuer : id->issuer_common_name);
  out.not_before = to_ms(id->not_before);
  out.not_after = to_ms(id->not_after);
  const auto now = s.now_ms();
  const auto left = out.not_after - now;
  // Whole days, rounded down: 89 days and 23 hours is 89 days.
  out.days_left = left >= 0 ? left / kDayMs : -((-left + kDayMs - 1) / kDayMs);
  out.chain_problem = verified.problem;
  out.from_this_ca = verified.problem != pki::ChainProblem::unknown_ca &&
                     verified.problem != pki::ChainProblem::not_a_terminal &&
                     verified.problem != pki::ChainProblem::unreadable;
  out.openssl_error = verified.detail;

  out.ours = stored(s, id->serial_hex, presented.front());
  if (out.ours) {
    // What the database holds is what was issued; the certificate's own text says the same.
    out.terminal = out.ours->terminal;
    out.issuance_number = out.ours->issuance_number;
    out.renewed_since = out.ours->replaced_at.has_value() && out.ours->renewed;
  }
  if (const auto refused = refusal_of(verified.problem, *id, now)) {
    out.problem_key = refused->problem_key;
    out.verdict = refused->verdict;
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
