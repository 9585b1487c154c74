#pragma once
// 受取: a certificate reaches its terminal. Whoever holds the notice letter types its 発行番号 and
// 取得コード (the page, or EST's Basic auth); a right pair opens the pickup for a short while
// (a grant), during which the person downloads the PKCS#12 of a generated key or the chain of a
// CSR's certificate, or replaces an unused generated key by the terminal's own CSR.
//
// The rules (docs/cpipcs.md 4.4): the code works from issue for pki.pickup_valid_days; after the
// first download it keeps working for pki.pickup_redownload_days or until the institution
// presses 受取を完了する, whichever is first; then the sealed key is destroyed. pki.
// pickup_max_attempts wrong codes lock the number until an operator unlocks it; every address is
// throttled as well. A wrong pair never says which half was wrong. Every download is recorded
// with its address and mailed to the institution.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/accounts/accounts.hpp"
#include "app/core/services.hpp"
#include "app/office/operators.hpp"
#include "store/records.hpp"

namespace onshi::app {

// A right pair, good for kPickupGrantMinutes: the page carries `token` in a hidden field instead
// of the code, so that the code is typed once and never sent back in a page.
inline constexpr int kPickupGrantMinutes = 30;
struct PickupGrant {
  std::string token;
  store::CertificateRecord certificate;  // the number's current certificate
  std::string institution_name;          // as the certificate names it
  std::vector<store::CertificateDownload> downloads;
  // Until when the code works: the window, or the re-download days once downloaded.
  store::Millis usable_until = 0;
  bool generated_key() const { return certificate.key_source == store::KeySource::generated; }
  // 端末で作成した CSR を使う: only for a generated key nobody downloaded yet.
  bool replaceable() const { return generated_key() && !certificate.picked_up_at; }
};

struct PickupAttempt {
  std::string issuance_number;  // as typed: full width, lower case, with or without hyphens
  std::string code;             // as typed
  std::string client_address;
};

// Failures (catalogue keys): pickup.wrong_pair (unknown number, wrong code, a malformed half:
// never which), pickup.locked (the right code of a locked number), pickup.throttled (this address
// tried too many wrong pairs: FailureCode::throttled), pickup.window_over (the right code after
// the window: ask for a new letter), pickup.closed (the right code after 受取を完了する or the
// re-download days), pickup.revoked, pickup.unavailable (no CA here).
Result<PickupGrant> open_pickup(const Services& s, const PickupAttempt& attempt);
// The grant of a page's hidden field, checked again against the database (closed meanwhile,
// replaced, revoked); pickup.grant_expired when forged or older than kPickupGrantMinutes.
Result<PickupGrant> resume_pickup(const Services& s, std::string_view token);

// 発行番号 as stored ("C-00000001-01") from what a person typed, or "" when it cannot be one.
std::string normalize_issuance_number(std::string_view typed);

struct DownloadedFile {
  std::string filename;      // C-00000001-01.p12
  std::string content_type;  // application/x-pkcs12, ...
  std::string bytes;
};

enum class Pkcs12Choice { standard, compatible };
struct Pkcs12Request {
  std::string password;
  std::string password_again;
  std::optional<Pkcs12Choice> format;  // nothing: not chosen (field error)
  std::string client_address;
};
// The PKCS#12 of a generated key (key, certificate, issuing and root CA, friendly name = CN).
// invalid with fields password / password_again / format (pickup.password_short,
// pickup.password_ascii, pickup.password_mismatch, pickup.password_is_code,
// pickup.format_missing); pickup.not_generated for a CSR's certificate.
Result<DownloadedFile> download_pkcs12(const Services& s, const PickupGrant& grant,
                                       const Pkcs12Request& request);

enum class ChainFormat { pem, der, p7b };
// The certificate of a CSR: PEM (certificate, issuing, root), DER (the certificate alone) or
// PKCS#7 certs-only (.p7b, all three). Also for a generated key's certificate without its key.
Result<DownloadedFile> download_chain(const Services& s, const PickupGrant& grant,
                                      ChainFormat format, std::string_view client_address);

// Until when a pickup code works: the window from issue, or after the first download the
// re-download days, whichever ends first (マイページ shows it).
store::Millis pickup_usable_until(const Services& s, store::Millis pickup_expires_at,
                                  std::optional<store::Millis> picked_up_at);

// A fresh grant for a certificate just issued in place of the grant's one (same deadline rules).
PickupGrant grant_for(const Services& s, const store::CertificateRecord& c);

// The new current certificate and a grant for it (its chain downloads next).
struct ReplacementResult {
  PickupGrant grant;
  std::string der;
};
// 端末で作成した CSR を使う: a new certificate for the CSR's key under the same 発行番号, the
// unused one revoked (superseded) and its sealed key destroyed, in one transaction; recorded as a
// download (what = `what`, "csr" from the page). invalid (field csr: csr.* keys) for a bad CSR
// or a key certified before; pickup.not_replaceable once downloaded.
Result<ReplacementResult> replace_with_csr(const Services& s, const PickupGrant& grant,
                                           std::string_view csr, std::string_view client_address,
                                           std::string_view what = "csr");

// 受取を完了する on マイページ: the institution's certificate's code stops working and its key is
// destroyed. not_found for another institution's number; pickup.not_picked_up before a download.
Result<> complete_pickup(const Services& s, const SessionUser& user, std::string_view number);

// Back office and `onshi admin certificates unlock`: clears a lock, audited.
// pickup.not_locked when it was not locked.
Result<> unlock_pickup(const Services& s, const Actor& who, std::string_view number);

// Closes the pickups whose re-download days are over, destroying their keys; `onshi serve` runs
// it every few minutes. Returns how many it closed.
int close_lapsed_pickups(const Services& s);

}  // namespace onshi::app
