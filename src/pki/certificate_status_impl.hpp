#pragma once
// Internal to pki/: what the status checks (certificate_status.cpp, ocsp_query.cpp, crl_check.cpp,
// status_checker.cpp) share. It names OpenSSL; no public header includes it.
#include <openssl/x509_vfy.h>

#include <string>
#include <vector>

#include "pki/certificate_status.hpp"
#include "pki/ossl.hpp"

namespace onshi::pki {

using Store = std::unique_ptr<X509_STORE, ossl::Deleter<X509_STORE_free>>;
using StoreCtx = std::unique_ptr<X509_STORE_CTX, ossl::Deleter<X509_STORE_CTX_free>>;
using Crl = std::unique_ptr<X509_CRL, ossl::Deleter<X509_CRL_free>>;

struct TrustAnchors::Impl {
  Store store;                        // the trusted roots
  std::vector<ossl::Cert> untrusted;  // other certificates of the PEM: help to build a path
};

// What one X509_verify_cert run needs beyond the chain.
struct VerifyInputs {
  STACK_OF(X509_CRL) * crls = nullptr;  // not owned
  unsigned long flags = 0;              // X509_V_FLAG_CRL_CHECK, …
  // The leaf's status comes from OCSP: a missing CRL for it is no error (the ARL still is
  // checked for the issuing CA).
  bool leaf_crl_optional = false;
};

struct VerifyOutcome {
  int error = X509_V_OK;  // the first error OpenSSL met
  int depth = 0;
  std::string text;
  std::vector<ossl::Cert> chain;  // leaf first, root last, when error is X509_V_OK
};

// X509_verify_cert of `leaf` with `presented_rest` (and the anchors' untrusted certificates) as
// help, at `at`, for TLS client authentication.
VerifyOutcome run_verify(const TrustAnchors::Impl& anchors, X509* leaf,
                         const std::vector<ossl::Cert>& presented_rest, TimePoint at,
                         const VerifyInputs& inputs);

// DER certificates as OpenSSL objects; nullopt when one is unreadable.
std::optional<std::vector<ossl::Cert>> parse_chain(const std::vector<std::string>& der);

// The first URI of the AIA entries of `method` (NID_ad_OCSP, NID_ad_ca_issuers); empty when none.
std::string first_access_uri(const X509* cert, int method);
// The first URI of a CRL DP-like extension (CRL DP, freshestCRL) of `cert`; empty when none.
std::string first_distribution_point_uri(const X509* cert, int nid);

// RFC 5280's name of a CRLReason value ("keyCompromise"); empty for unspecified or unknown.
std::string crl_reason_name(int reason);

}  // namespace onshi::pki
