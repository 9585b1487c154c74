#pragma once
// What a relying party does with a terminal's certificate, and what a vendor's check does before
// it: verify the chain to a trusted root, then ask whether the certificate is revoked, by OCSP to
// the URL in its AIA or by the CRLs its CRL DP and freshestCRL name. OpenSSL's own verification
// does the work (X509_verify_cert with the CRLs, OCSP_basic_verify and OCSP_resp_find_status);
// this file only fetches, caches and says what came out.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace onshi::pki {

using TimePoint = std::chrono::system_clock::time_point;

// What a terminal certificate says about itself (CPIPCS 7.1.1: O, OU, CN, serialNumber).
struct TerminalIdentity {
  std::string institution_code;  // OU, 10 digits
  std::string institution_name;  // O
  std::string common_name;       // CN "<code>-T01"
  std::string terminal;          // "T01": CN after the institution code and '-'; else the CN
  std::string issuance_number;   // subject serialNumber "C-00000123-01"
  std::string serial_hex;        // lower case, as IssuedCertificate::serial_hex
  std::string subject, issuer;   // RFC 2253
  TimePoint not_before, not_after;
  std::string ocsp_url, ca_issuers_url;  // AIA (the first of each)
  std::string crl_url, delta_crl_url;    // CRL DP and freshestCRL (the first URI of each)
  std::string sha256_fingerprint;        // AA:BB:…
  std::string issuer_common_name;        // the CN of `issuer`; "" when it has none
};
// nullopt when the bytes are no certificate, or one whose fields cannot be read; never throws.
std::optional<TerminalIdentity> describe_certificate(const std::string& der);

enum class ChainProblem {
  none,
  no_certificate,  // nothing presented
  unreadable,      // bytes that are no certificate
  unknown_ca,      // no path to a trusted root (another CA, or the issuing CA missing)
  expired,         // this or a CA certificate above it
  not_yet_valid,
  wrong_purpose,   // not fit for TLS client authentication (EKU, key usage)
  not_a_terminal,  // verified, but not an end-entity under an issuing CA (a CA certificate, or
                   // one signed by the root directly)
  revoked_ca,      // the issuing CA is on the root's ARL
  other,
};
std::string_view chain_problem_name(ChainProblem p);  // "unknown_ca", …

struct ChainVerdict {
  ChainProblem problem = ChainProblem::other;
  std::string detail;  // OpenSSL's words and the depth, for logs
  // The path OpenSSL built, leaf first, root last (DER); filled when problem is none.
  std::vector<std::string> chain;
  bool ok() const { return problem == ChainProblem::none; }
};

// The roots a relying party trusts. Thread-safe after construction.
class TrustAnchors {
 public:
  // `pem`: one or more PEM certificates (the root; an issuing CA may be added, as untrusted help
  // for clients that send only their own certificate). Throws std::runtime_error on no PEM.
  explicit TrustAnchors(const std::string& pem);
  ~TrustAnchors();
  TrustAnchors(TrustAnchors&&) noexcept;
  TrustAnchors& operator=(TrustAnchors&&) noexcept;

  // Verifies `presented` (DER, the client's own first, then whatever chain it sent) at `at`, for
  // TLS client authentication, without revocation. Never throws for bad input.
  ChainVerdict verify(const std::vector<std::string>& presented, TimePoint at) const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

enum class RevocationState {
  good,
  revoked,
  unknown,      // the responder does not know the certificate (OCSP "unknown")
  unavailable,  // no usable answer: not reachable, bad signature, stale, no URL
};
std::string_view revocation_state_name(RevocationState s);

struct StatusAnswer {
  RevocationState state = RevocationState::unavailable;
  std::string source;  // "ocsp" or "crl"
  std::optional<TimePoint> revoked_at;
  std::string reason;  // RFC 5280 name, "keyCompromise"; empty when unspecified or not revoked
  std::optional<TimePoint> this_update, next_update;  // of the OCSP response, or the full CRL
  std::string url;                                    // what was asked
  std::string detail;          // why unavailable, for logs ("connect: Connection refused", …)
  bool delta_applied = false;  // crl: a delta CRL was fetched and used
  // revoked: it is the issuing CA that the root's ARL lists, not the certificate itself.
  bool issuing_ca_revoked = false;
  // crl: when the first of the CRLs this answer came from is fetched again; an answer kept
  // beyond it would outlive what it was read from.
  std::optional<TimePoint> refetch_at;
};

struct FetchOptions {
  std::chrono::milliseconds timeout{3'000};
  std::size_t max_ocsp_bytes = 64 * 1024;
  std::size_t max_crl_bytes = 64 * 1024 * 1024;
};

// One OCSP query for chain[0], issued by chain[1] (a verified chain, TrustAnchors::verify), to
// the leaf's AIA OCSP URL. The response must verify (OCSP_basic_verify: signed by the issuer or a
// responder it delegated to), be current (thisUpdate/nextUpdate, 5 minutes' leeway), and, with
// `nonce`, carry the request's nonce back.
StatusAnswer query_ocsp(const TrustAnchors& anchors, const std::vector<std::string>& chain,
                        bool nonce, const FetchOptions& options, TimePoint now);

// CRLs by URL, shared by every check; each kept until its nextUpdate or `max_age`, whichever is
// sooner (so that a delta CRL is fetched again within max_age of a revocation). Thread-safe.
class CrlCache {
 public:
  explicit CrlCache(std::chrono::seconds max_age);
  ~CrlCache();
  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

// The status of chain[0] by CRL: the full CRL of its CRL DP and the delta of its freshestCRL
// (when it names one), and the root's ARL for the issuing CA when that names a CRL DP, all given
// to X509_verify_cert with CRL checking and deltas on. `cache` may be null (fetch every time).
StatusAnswer check_by_crl(const TrustAnchors& anchors, const std::vector<std::string>& chain,
                          CrlCache* cache, const FetchOptions& options, TimePoint now);

// Only the issuing CA's status, by the root's ARL that its CRL DP names (good when it names
// none): what OCSP, which answers for the leaf alone, leaves open (RFC 5280 6.1.3 (a)(3)).
StatusAnswer check_issuing_ca(const TrustAnchors& anchors, const std::vector<std::string>& chain,
                              CrlCache* cache, const FetchOptions& options, TimePoint now);

// The relying party's view: a verified chain, then OCSP (a nonce on the first check of a
// certificate), falling back to the CRLs when the responder gives no usable answer; answers are
// cached per certificate until their nextUpdate or max_age, whichever is sooner; the issuing CA
// is checked against the root's ARL either way (a revoked one is ChainProblem::revoked_ca). A
// responder that failed is not asked again for a few seconds. Thread-safe.
class StatusChecker {
 public:
  struct Options {
    std::chrono::seconds max_age{300};  // OCSP answers and CRLs are asked again after this
    FetchOptions fetch;
    bool use_ocsp = true;
    bool use_crl = true;
  };
  struct Result {
    ChainVerdict chain;
    StatusAnswer status;                       // state unavailable when the chain did not verify
    bool from_cache = false;                   // no fetch was made for this check
    std::optional<TerminalIdentity> identity;  // whenever the first certificate is readable
  };
  struct Counters {
    std::atomic<std::uint64_t> ocsp_queries{0}, ocsp_failures{0}, crl_checks{0}, cache_hits{0};
  };

  StatusChecker(TrustAnchors anchors, Options options);
  ~StatusChecker();
  Result check(const std::vector<std::string>& presented, TimePoint now);
  const Counters& counters() const { return counters_; }
  const TrustAnchors& anchors() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Counters counters_;
};

}  // namespace onshi::pki
