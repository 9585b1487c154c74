#pragma once
// 接続確認 (issue 17): what a vendor runs on or for a clinic's terminal before saying "installed".
// It needs no database: the terminal's own files, the root it is told to trust and the network.
// Each step is one line of a checklist, run in order; a step that cannot run because an earlier
// one failed is skipped with the reason; one summary line says what to do.
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/core/messages.hpp"
#include "pki/certificate_status.hpp"

namespace onshi::app {

enum class CheckMark { ok, warning, failed, skipped };
std::string_view check_mark_name(CheckMark m);  // "ok", "warning", "failed", "skipped"

// The steps, in the order they run: "open", "key", "chain", "validity", "ocsp", "crl",
// "relying_party".
inline constexpr const char* kTerminalCheckSteps[] = {"open", "key", "chain",        "validity",
                                                      "ocsp", "crl", "relying_party"};

struct CheckLine {
  std::string step;
  CheckMark mark = CheckMark::skipped;
  std::string key;  // catalogue key, terminal_check.<step>.<outcome>
  std::vector<std::string> args{};
  // What a tool reading --json wants besides the sentence: OpenSSL's words, URLs, times (ISO).
  std::vector<std::pair<std::string, std::string>> detail{};
};

struct TerminalCheckInput {
  // Either a PKCS#12 file or the PEM (or DER) certificate and key files: their bytes, each.
  std::optional<std::string> pkcs12;
  std::string cert_bytes, key_bytes;
  std::string password;  // of the PKCS#12, or of an encrypted PEM key
  std::string ca_pem;    // the root to trust (an issuing CA may be added)
  // https URL of a relying party (`onshi relying-party`); a bare host (no path) gets /whoami.
  // Empty: the relying-party line is a warning that the connection was not tried, and the report
  // is not `connected`.
  std::string url;
  // The CA of the relying party's TLS certificate; empty: ca_pem.
  std::string url_ca_pem;
  std::chrono::milliseconds timeout{5'000};  // per network request
};

struct TerminalCheckReport {
  std::vector<CheckLine> lines;
  // step "summary": ok, warning (usable, but see the ! lines; or ok_not_connected, or one of the
  // status lines without an answer: ocsp_unavailable, ocsp_no_url, crl_unavailable, crl_no_url)
  // or failed
  CheckLine summary;
  std::optional<pki::TerminalIdentity> identity;  // once the file opened
  // A relying party answered as this certificate's: without it, "usable" is only as far as the
  // files, the chain and the status go.
  bool connected = false;
  // OCSP and the CRLs both said "good". One of them without an answer (or without a URL in the
  // certificate) is a ! line, not a pass: the relying party falls back to the other, but whether
  // the terminal reaches that one as well was not shown.
  bool status_checked = false;
  bool ok() const { return summary.mark != CheckMark::failed; }
  // `onshi terminal check`'s exit status: 0 every line passed (a ! on the days left allowed); 1 a
  // line failed; 3 nothing failed but not every line could be checked: a status line without an
  // answer, or no relying party asked (no --url). 2, a usage error, is the command's own.
  int exit_status() const;
};

// Never throws for what the files or the network hold. `m` formats the dates in the lines.
TerminalCheckReport check_terminal(const Messages& m, const TerminalCheckInput& in,
                                   pki::TimePoint now);

// Days left below this are a warning: time to apply for the next certificate (CPIPCS 4.6).
inline constexpr int kValidityWarningDays = 90;

}  // namespace onshi::app
