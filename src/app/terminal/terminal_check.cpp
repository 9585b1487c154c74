#include "app/terminal/terminal_check.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <stdexcept>

#include "app/core/dates_shown.hpp"
#include "app/terminal/terminal_check_steps.hpp"
#include "pki/http_client.hpp"

namespace onshi::app {

std::string_view check_mark_name(CheckMark m) {
  switch (m) {
    case CheckMark::ok:
      return "ok";
    case CheckMark::warning:
      return "warning";
    case CheckMark::failed:
      return "failed";
    case CheckMark::skipped:
      return "skipped";
  }
  return "failed";
}

namespace terminal_check {

CheckLine line(std::string_view step, CheckMark mark, std::string_view outcome,
               std::vector<std::string> args) {
  return {std::string(step), mark, fmt::format("terminal_check.{}.{}", step, outcome),
          std::move(args)};
}

std::string shown(const Messages& m, pki::TimePoint t) {
  using namespace std::chrono;
  return time_shown(m, duration_cast<milliseconds>(t.time_since_epoch()).count());
}

std::string iso(pki::TimePoint t) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", std::chrono::floor<std::chrono::seconds>(t));
}

namespace {

constexpr std::size_t kMaxIssuerBytes = 64 * 1024;

CheckLine skipped(std::string_view step, std::string_view why) {
  CheckLine l{std::string(step), CheckMark::skipped, fmt::format("terminal_check.skipped.{}", why)};
  return l;
}

CheckLine open_line(State& s) {
  const bool p12 = s.in.pkcs12.has_value();
  auto opened = p12 ? pki::open_pkcs12(*s.in.pkcs12, s.in.password)
                    : pki::open_pem(s.in.cert_bytes, s.in.key_bytes, s.in.password);
  if (!opened) {
    CheckLine l = line("open", CheckMark::failed, pki::credentials_error_name(opened.error()));
    l.detail.emplace_back("error", std::string(pki::credentials_error_name(opened.error())));
    return l;
  }
  s.credentials = std::move(*opened);
  s.identity = pki::describe_certificate(s.credentials->cert_der);
  if (!s.identity) return line("open", CheckMark::failed, "unreadable_certificate");
  CheckLine l = line("open", CheckMark::ok, p12 ? "ok_pkcs12" : "ok_pem",
                     {s.identity->common_name, s.identity->institution_name});
  l.detail = {{"subject", s.identity->subject},
              {"serial", s.identity->serial_hex},
              {"issuer", s.identity->issuer},
              {"sha256_fingerprint", s.identity->sha256_fingerprint},
              {"chain_in_file", std::to_string(s.credentials->chain_der.size())}};
  if (!s.credentials->friendly_name.empty())
    l.detail.emplace_back("friendly_name", s.credentials->friendly_name);
  return l;
}

CheckLine key_line(const State& s) {
  if (!s.credentials) return skipped("key", "after_open");
  CheckLine l = s.credentials->key_matches
                    ? line("key", CheckMark::ok, "ok", {s.credentials->key_description})
                    : line("key", CheckMark::failed, "mismatch");
  l.detail.emplace_back("key", s.credentials->key_description);
  return l;
}

// A certificate's CN ("onshi Issuing CA G1"), else its whole subject.
std::string common_name_of(const std::string& der) {
  const auto id = pki::describe_certificate(der);
  if (!id) return "?";
  return id->common_name.empty() ? id->subject : id->common_name;
}

// The CNs of the certificates in the PEM blocks of `pem`: whether --ca held certificates at all,
// when TrustAnchors found no self-signed root among them.
std::vector<std::string> certificate_names(const std::string& pem) {
  std::vector<std::string> names;
  for (const std::string& der : pki::certificates_der(pem)) names.push_back(common_name_of(der));
  return names;
}

// A terminal that sent only its own certificate still verifies when its issuer can be fetched
// from the AIA (as a relying party that helps clients might do); DER only, a few kilobytes.
std::optional<std::string> fetch_issuer(const State& s) {
  if (s.identity->ca_issuers_url.empty()) return std::nullopt;
  pki::HttpRequest r;
  r.url = s.identity->ca_issuers_url;
  r.timeout = s.in.timeout;
  r.max_response_bytes = kMaxIssuerBytes;
  r.trusted_ca_pem = s.in.ca_pem;
  auto got = pki::http_fetch(r);
  if (!got || got->status != 200 || !pki::describe_certificate(got->body)) return std::nullopt;
  return std::move(got->body);
}

CheckLine chain_line(State& s) {
  if (!s.credentials || !s.identity) return skipped("chain", "after_open");
  try {
    s.anchors.emplace(s.in.ca_pem);
  } catch (const std::exception& e) {
    // An issuing CA alone is the usual mistake (it is in the .p12 and beside root.crt on the
    // portal): say that the root is missing, not that there is no CA.
    const auto names = certificate_names(s.in.ca_pem);
    std::string given;
    for (const auto& n : names) given.append(given.empty() ? "" : "、").append(n);
    CheckLine l = names.empty() ? line("chain", CheckMark::failed, "bad_ca")
                                : line("chain", CheckMark::failed, "no_root", {given});
    l.detail.emplace_back("openssl", e.what());
    return l;
  }
  std::vector<std::string> presented{s.credentials->cert_der};
  presented.insert(presented.end(), s.credentials->chain_der.begin(),
                   s.credentials->chain_der.end());
  pki::ChainVerdict v = s.anchors->verify(presented, s.now);
  std::vector<std::pair<std::string, std::string>> detail;
  // A lone certificate whose issuer cannot be had says so: "another CA" would send the vendor
  // looking for the wrong file.
  bool issuer_missing = false;
  if (v.problem == pki::ChainProblem::unknown_ca && presented.size() == 1) {
    if (auto issuer = fetch_issuer(s)) {
      presented.push_back(std::move(*issuer));
      v = s.anchors->verify(presented, s.now);
      detail.emplace_back("issuer_fetched_from", s.identity->ca_issuers_url);
    } else {
      issuer_missing = true;
    }
  }
  // Outside its validity the chain is checked at a time inside it, so that this line says whether
  // the CA is the right one and the validity line alone says when.
  const bool early = s.now < s.identity->not_before;
  const bool late = s.now >= s.identity->not_after;
  s.outside_validity = early || late;
  if (s.outside_validity &&
      (v.problem == pki::ChainProblem::expired || v.problem == pki::ChainProblem::not_yet_valid)) {
    const auto at = early ? s.identity->not_before + std::chrono::seconds(1)
                          : s.identity->not_after - std::chrono::seconds(1);
    v = s.anchors->verify(presented, at);
    detail.emplace_back("verified_at", iso(at));
  }
  CheckLine l;
  if (v.ok()) {
    s.chain = v.chain;
    std::string path;
    for (std::size_t i = 1; i < v.chain.size(); ++i) {
      if (i > 1) path += " → ";
      path += common_name_of(v.chain[i]);
    }
    l = line("chain", CheckMark::ok, "ok", {path});
  } else if (issuer_missing) {
    l = line("chain", CheckMark::failed, "issuer_missing",
             {s.identity->issuer,
              s.identity->ca_issuers_url.empty() ? "-" : s.identity->ca_issuers_url});
  } else {
    l = line("chain", CheckMark::failed, pki::chain_problem_name(v.problem), {s.identity->issuer});
  }
  l.detail = std::move(detail);
  l.detail.emplace_back("problem", std::string(pki::chain_problem_name(v.problem)));
  if (!v.detail.empty()) l.detail.emplace_back("openssl", v.detail);
  return l;
}

CheckLine validity_line(const State& s) {
  if (!s.identity) return skipped("validity", "after_open");
  using namespace std::chrono;
  const auto& id = *s.identity;
  CheckLine l;
  if (s.now < id.not_before) {
    l = line("validity", CheckMark::failed, "not_yet_valid", {shown(s.m, id.not_before)});
  } else if (s.now >= id.not_after) {
    l = line("validity", CheckMark::failed, "expired", {shown(s.m, id.not_after)});
  } else {
    const auto days_left = floor<days>(id.not_after - s.now).count();
    const bool soon = days_left < kValidityWarningDays;
    l = line("validity", soon ? CheckMark::warning : CheckMark::ok, soon ? "soon" : "ok",
             {shown(s.m, id.not_after), std::to_string(days_left)});
    l.detail.emplace_back("days_left", std::to_string(days_left));
  }
  l.detail.emplace_back("not_before", iso(id.not_before));
  l.detail.emplace_back("not_after", iso(id.not_after));
  return l;
}

// What the first failed line means for the person at the terminal.
std::string summary_outcome(const CheckLine& failed) {
  const std::string_view outcome =
      std::string_view(failed.key).substr(std::string_view(failed.key).rfind('.') + 1);
  if (failed.step == "open") {
    if (outcome == "wrong_password" || outcome == "password_needed") return std::string(outcome);
    return "open_failed";
  }
  if (failed.step == "key") return "key_mismatch";
  if (failed.step == "chain")
    return outcome == "unknown_ca"                       ? "wrong_ca"
           : outcome == "issuer_missing"                 ? "issuer_missing"
           : outcome == "no_root" || outcome == "bad_ca" ? "no_root"
                                                         : "chain_failed";
  if (failed.step == "validity") return std::string(outcome);
  if (failed.step == "ocsp" || failed.step == "crl")
    return outcome == "revoked" ? "revoked" : "status_unknown";
  if (outcome == "connect" || outcome == "timeout") return "unreachable";
  if (outcome == "tls_handshake" || outcome == "refused") return "refused";
  if (outcome == "server_certificate") return "server_certificate";
  return "relying_party_failed";
}

bool status_step(const CheckLine& l) {
  return l.step == "ocsp" || l.step == "crl";
}

// What the summary says when nothing failed but a status line passed without an answer: the
// first such line's step and outcome ("ocsp_unavailable", "crl_no_url").
std::string unchecked_outcome(const CheckLine& l) {
  const std::string_view key(l.key);
  return l.step + "_" + std::string(key.substr(key.rfind('.') + 1));
}

}  // namespace
}  // namespace terminal_check

int TerminalCheckReport::exit_status() const {
  if (!ok()) return 1;
  return connected && status_checked ? 0 : 3;
}

TerminalCheckReport check_terminal(const Messages& m, const TerminalCheckInput& in,
                                   pki::TimePoint now) {
  using namespace terminal_check;
  State s{m, in, now};
  TerminalCheckReport report;
  report.lines.push_back(open_line(s));
  report.lines.push_back(key_line(s));
  report.lines.push_back(chain_line(s));
  report.lines.push_back(validity_line(s));
  for (CheckLine& l : status_lines(s)) report.lines.push_back(std::move(l));
  report.lines.push_back(relying_party_line(s));
  report.identity = s.identity;
  report.connected = report.lines.back().mark == CheckMark::ok;

  const CheckLine* failed = nullptr;
  const CheckLine* unchecked = nullptr;
  bool warned = false;
  report.status_checked = true;
  for (const CheckLine& l : report.lines) {
    if (l.mark == CheckMark::failed && failed == nullptr) failed = &l;
    warned = warned || l.mark == CheckMark::warning;
    if (!status_step(l)) continue;
    report.status_checked = report.status_checked && l.mark == CheckMark::ok;
    if (l.mark == CheckMark::warning && unchecked == nullptr) unchecked = &l;
  }
  if (failed != nullptr) {
    report.summary = line("summary", CheckMark::failed, summary_outcome(*failed));
    report.summary.detail.emplace_back("failed_step", failed->step);
  } else if (unchecked != nullptr) {
    // What is missing and how to get it; without --url, that the connection was not tried either.
    report.summary = line(
        "summary", CheckMark::warning, unchecked_outcome(*unchecked),
        {report.connected ? std::string() : m.get("terminal_check.summary.not_connected_too")});
    report.summary.detail.emplace_back("unchecked_step", unchecked->step);
  } else if (!report.connected) {
    report.summary = line("summary", CheckMark::warning, "ok_not_connected");
  } else {
    report.summary = warned ? line("summary", CheckMark::warning, "ok_with_warnings")
                            : line("summary", CheckMark::ok, "ok");
  }
  return report;
}

}  // namespace onshi::app
