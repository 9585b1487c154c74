#pragma once
// 接続確認 in a browser (/terminal-check): the client certificate a terminal's browser offered on
// the TLS listener (the one the operating system holds), whether it is a certificate this CA
// issued that a relying party will accept, and which one. Staff open the page on the terminal;
// nothing is changed and no login is needed.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/core/services.hpp"
#include "pki/certificate_status.hpp"
#include "store/records.hpp"

namespace onshi::app {

// What the TLS listener handed the request.
struct PresentedChain {
  bool tls = false;                       // false: the plain listener, where no certificate comes
  std::vector<std::string> certificates;  // DER, the browser's own certificate first
};

// The outcome, first match wins in this order.
enum class TerminalVerdict {
  not_tls,         // opened over http: the browser offers its certificate only over https
  no_certificate,  // none offered
  unreadable,      // what was offered is no certificate
  not_ours,        // does not lead to this CA's root, or is no terminal certificate under it
  not_yet_valid,   // before its notBefore
  expired,         // past its notAfter: 更新 (a new certificate)
  wrong_purpose,   // not for TLS client authentication
  unverified,      // another problem of the chain, a CA certificate's dates among them (OpenSSL's
                   // words in the log)
  unknown,         // a certificate of this CA that the database does not hold (不明)
  revoked,         // 失効
  usable,          // 有効, verified, within its validity
};
// "not_tls", …: the catalogue's terminal_check_page.verdict.<key>.
std::string_view terminal_verdict_key(TerminalVerdict v);
inline constexpr TerminalVerdict kTerminalVerdicts[] = {
    TerminalVerdict::not_tls,       TerminalVerdict::no_certificate, TerminalVerdict::unreadable,
    TerminalVerdict::not_ours,      TerminalVerdict::not_yet_valid,  TerminalVerdict::expired,
    TerminalVerdict::wrong_purpose, TerminalVerdict::unverified,     TerminalVerdict::unknown,
    TerminalVerdict::revoked,       TerminalVerdict::usable};

// The 問題点 the page shows, as the catalogue's terminal_check_page.problem.<key>.
inline constexpr std::string_view kTerminalProblemKeys[] = {
    "other_ca", "not_a_terminal", "expired", "not_yet_valid", "wrong_purpose", "other"};

// What of a client's certificate is shown: each name cut to this many code points, and at most
// this many certificates of what the browser sent looked at (the listener's verify depth is 4).
inline constexpr std::size_t kMaxShownCodePoints = 128;
inline constexpr std::size_t kMaxPresentedChain = 8;

// Fewer days than this left: the page warns that it is time to renew.
inline constexpr int kExpiryWarningDays = 90;

struct TerminalCertificateCheck {
  TerminalVerdict verdict = TerminalVerdict::no_certificate;
  // What the certificate says (has_certificate), or for ours what the database holds. Text from
  // a client's certificate is valid UTF-8 without control characters, else "".
  bool has_certificate = false;
  std::string institution_code;  // OU
  std::string institution_name;  // O as issued
  std::string common_name;       // CN
  std::string terminal;          // T01
  std::string issuance_number;   // 発行番号
  std::string serial_hex;
  std::string issuer;  // the issuer's CN
  store::Millis not_before = 0, not_after = 0;
  long long days_left = 0;     // whole days until notAfter, negative once past
  bool expiring_soon = false;  // usable with fewer than kExpiryWarningDays left
  // The first problem OpenSSL met verifying the chain (none: it verified), and how the page
  // words it: a key of kTerminalProblemKeys, "" when there is nothing to list.
  pki::ChainProblem chain_problem = pki::ChainProblem::none;
  std::string_view problem_key;
  // Its chain leads to our root, whatever else is wrong with it; false for another CA's
  // certificate and for one of ours that is no terminal certificate.
  bool from_this_ca = false;
  std::string openssl_error;                     // OpenSSL's words and the depth, for the log
  std::optional<store::CertificateRecord> ours;  // the stored certificate, byte for byte the same
  bool renewed_since = false;  // re-enrolled: the 発行番号's newer certificate is the one to use
  // The CN of this CA's current issuing certificate, the 発行者 to choose when the browser asks
  // for a certificate; "" without a CA.
  std::string our_issuer;
};

// Unavailable (terminal_check_page.no_ca) without a CA, once a certificate was offered.
Result<TerminalCertificateCheck> check_terminal_certificate(const Services& s,
                                                            const PresentedChain& chain);

// Where this page answers over https: the TLS listener's address (server.tls_listen), with the
// host the browser used (`host_header`) when the listener binds every address; "" when there is
// no TLS listener or no host to name.
std::string terminal_check_https_url(const Config& c, std::string_view host_header);

}  // namespace onshi::app
