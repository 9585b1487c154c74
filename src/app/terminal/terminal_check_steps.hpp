#pragma once
// Internal to app/terminal: what the steps of check_terminal share, and the steps that go over
// the network (terminal_check_network.cpp).
#include <optional>
#include <string>
#include <vector>

#include "app/terminal/terminal_check.hpp"
#include "pki/certificate_status.hpp"
#include "pki/http_client.hpp"
#include "pki/terminal_credentials.hpp"

namespace onshi::app::terminal_check {

struct State {
  const Messages& m;
  const TerminalCheckInput& in;
  pki::TimePoint now;
  std::optional<pki::TerminalCredentials> credentials{};
  std::optional<pki::TerminalIdentity> identity{};
  std::optional<pki::TrustAnchors> anchors{};
  std::vector<std::string> chain{};  // verified, leaf first, root last; empty unless it verified
  bool outside_validity = false;
};

// A line of `step` with key terminal_check.<step>.<outcome>.
CheckLine line(std::string_view step, CheckMark mark, std::string_view outcome,
               std::vector<std::string> args = {});
// 「2026年12月8日（火） 10:00」 (Japan).
std::string shown(const Messages& m, pki::TimePoint t);
std::string iso(pki::TimePoint t);  // 2026-12-08T01:00:00Z

// The status lines: OCSP, then the CRLs; the second says failed when neither gave an answer.
std::vector<CheckLine> status_lines(const State& s);
CheckLine relying_party_line(const State& s);
// The line of what the relying party answered `url` (needs s.identity): only 200 with a JSON object
// holding "result":"ok" and this certificate's "serial" passes (what `onshi relying-party`'s
// /whoami says); anything else is said with the relying party's own words when it gives them
// (`onshi relying-party` answers 403/503 with {"result", "message"}), made printable.
CheckLine answer_line(const State& s, const std::string& url, const pki::HttpResponse& r);

// Text another machine wrote, safe to print on a terminal and to pass on in --json: a hostile
// server must not move the cursor, retitle the window or hide text. C0 controls, DEL, C1 controls
// and the bidirectional overrides are dropped (tab, CR and LF become a space, to keep words
// apart); bytes that are no UTF-8 become U+FFFD, since an 8-bit terminal reads a lone 0x9b as CSI.
std::string printable(std::string_view text);

// The URL asked: `url` itself, or URL/whoami when it names no path. Empty when it is no https URL.
std::string relying_party_url(const std::string& url);

}  // namespace onshi::app::terminal_check
