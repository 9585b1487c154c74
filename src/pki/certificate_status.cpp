// The certificate itself: what it says (describe_certificate) and whether its chain verifies to a
// trusted root (TrustAnchors). Revocation is in ocsp_query.cpp and crl_check.cpp.
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "pki/certificate_status_impl.hpp"
#include "pki/terminal_profile.hpp"

namespace onshi::pki {
namespace {

// Bounds for what a hostile certificate could make us copy.
constexpr std::size_t kMaxField = 1024;
constexpr std::size_t kMaxPresented = 8;

std::string entry_utf8(const X509_NAME* name, int nid) {
  const int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) return {};
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  const int size = ASN1_STRING_to_UTF8(&utf8, data);
  if (size < 0) return {};
  // Cut by code points, not bytes: a cut character would make the text invalid UTF-8.
  std::string out = truncate_code_points(
      std::string_view(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(size)),
      kMaxField);
  OPENSSL_free(utf8);
  return out;
}

std::string uri_of(const GENERAL_NAME* name) {
  if (name == nullptr || name->type != GEN_URI) return {};
  const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
  const auto size = static_cast<std::size_t>(ASN1_STRING_length(uri));
  if (size > kMaxField) return {};
  return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)), size};
}

struct VerifyState {
  const VerifyInputs* inputs = nullptr;
  int error = X509_V_OK;
  int depth = 0;
};

int state_index() {
  static const int index = X509_STORE_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// Keeps OpenSSL's verdict, remembering the first error: later ones (a path that could not be
// built also "cannot verify the leaf") say less.
int remember_first_error(int ok, X509_STORE_CTX* ctx) {
  if (ok == 1) return 1;
  auto* state = static_cast<VerifyState*>(X509_STORE_CTX_get_ex_data(ctx, state_index()));
  const int error = X509_STORE_CTX_get_error(ctx);
  const int depth = X509_STORE_CTX_get_error_depth(ctx);
  if (state != nullptr && state->inputs->leaf_crl_optional && depth == 0 &&
      error == X509_V_ERR_UNABLE_TO_GET_CRL)
    return 1;
  if (state != nullptr && state->error == X509_V_OK) {
    state->error = error;
    state->depth = depth;
  }
  return 0;
}

ChainProblem problem_of(int error, int depth) {
  switch (error) {
    case X509_V_OK:
      return ChainProblem::none;
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return ChainProblem::expired;
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return ChainProblem::not_yet_valid;
    case X509_V_ERR_INVALID_PURPOSE:
      return ChainProblem::wrong_purpose;
    case X509_V_ERR_CERT_REVOKED:
      return depth > 0 ? ChainProblem::revoked_ca : ChainProblem::other;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_CERT_UNTRUSTED:
      return ChainProblem::unknown_ca;
    default:
      return ChainProblem::other;
  }
}

}  // namespace

std::string_view chain_problem_name(ChainProblem p) {
  switch (p) {
    case ChainProblem::none:
      return "ok";
    case ChainProblem::no_certificate:
      return "no_certificate";
    case ChainProblem::unreadable:
      return "unreadable";
    case ChainProblem::unknown_ca:
      return "unknown_ca";
    case ChainProblem::expired:
      return "expired";
    case ChainProblem::not_yet_valid:
      return "not_yet_valid";
    case ChainProblem::wrong_purpose:
      return "wrong_purpose";
    case ChainProblem::not_a_terminal:
      return "not_a_terminal";
    case ChainProblem::revoked_ca:
      return "revoked_ca";
    case ChainProblem::other:
      break;
  }
  return "other";
}

std::string_view revocation_state_name(RevocationState s) {
  switch (s) {
    case RevocationState::good:
      return "good";
    case RevocationState::revoked:
      return "revoked";
    case RevocationState::unknown:
      return "unknown";
    case RevocationState::unavailable:
      break;
  }
  return "unavailable";
}

std::string crl_reason_name(int reason) {
  switch (reason) {
    case 1:
      return "keyCompromise";
    case 2:
      return "cACompromise";
    case 3:
      return "affiliationChanged";
    case 4:
      return "superseded";
    case 5:
      return "cessationOfOperation";
    case 6:
      return "certificateHold";
    case 8:
      return "removeFromCRL";
    case 9:
      return "privilegeWithdrawn";
    case 10:
      return "aACompromise";
    default:
      return {};
  }
}

std::string first_access_uri(const X509* cert, int method) {
  auto* aia = static_cast<AUTHORITY_INFO_ACCESS*>(
      X509_get_ext_d2i(cert, NID_info_access, nullptr, nullptr));
  if (aia == nullptr) return {};
  std::string out;
  for (int i = 0; i < sk_ACCESS_DESCRIPTION_num(aia) && out.empty(); ++i) {
    const ACCESS_DESCRIPTION* ad = sk_ACCESS_DESCRIPTION_value(aia, i);
    if (OBJ_obj2nid(ad->method) == method) out = uri_of(ad->location);
  }
  AUTHORITY_INFO_ACCESS_free(aia);
  return out;
}

std::string first_distribution_point_uri(const X509* cert, int nid) {
  auto* points = static_cast<CRL_DIST_POINTS*>(X509_get_ext_d2i(cert, nid, nullptr, nullptr));
  if (points == nullptr) return {};
  std::string out;
  for (int i = 0; i < sk_DIST_POINT_num(points) && out.empty(); ++i) {
    const DIST_POINT* dp = sk_DIST_POINT_value(points, i);
    if (dp->distpoint == nullptr || dp->distpoint->type != 0) continue;  // fullName only
    const GENERAL_NAMES* names = dp->distpoint->name.fullname;
    for (int j = 0; j < sk_GENERAL_NAME_num(names) && out.empty(); ++j)
      out = uri_of(sk_GENERAL_NAME_value(names, j));
  }
  CRL_DIST_POINTS_free(points);
  return out;
}

namespace {

TerminalIdentity identity_of(const X509* cert, const std::string& der);

}  // namespace

std::optional<TerminalIdentity> describe_certificate(const std::string& der) {
  const ossl::Cert cert = ossl::cert_from_der(der);
  if (!cert) {
    ERR_clear_error();
    return std::nullopt;
  }
  // A certificate that parses may still hold a time or a serial the conversions refuse; what a
  // client sends must never throw past here.
  try {
    return identity_of(cert.get(), der);
  } catch (const std::exception&) {
    ERR_clear_error();
    return std::nullopt;
  }
}

namespace {

TerminalIdentity identity_of(const X509* cert, const std::string& der) {
  TerminalIdentity id;
  const X509_NAME* subject = X509_get_subject_name(cert);
  id.institution_code = entry_utf8(subject, NID_organizationalUnitName);
  id.institution_name = entry_utf8(subject, NID_organizationName);
  id.common_name = entry_utf8(subject, NID_commonName);
  id.issuance_number = entry_utf8(subject, NID_serialNumber);
  const std::string prefix = id.institution_code + "-";
  id.terminal = !id.institution_code.empty() && id.common_name.starts_with(prefix)
                    ? id.common_name.substr(prefix.size())
                    : id.common_name;
  id.serial_hex = ossl::serial_hex(cert);
  id.subject = ossl::rfc2253(subject);
  id.issuer = ossl::rfc2253(X509_get_issuer_name(cert));
  id.issuer_common_name = entry_utf8(X509_get_issuer_name(cert), NID_commonName);
  id.not_before = ossl::to_time_point(X509_get0_notBefore(cert));
  id.not_after = ossl::to_time_point(X509_get0_notAfter(cert));
  id.ocsp_url = first_access_uri(cert, NID_ad_OCSP);
  id.ca_issuers_url = first_access_uri(cert, NID_ad_ca_issuers);
  id.crl_url = first_distribution_point_uri(cert, NID_crl_distribution_points);
  id.delta_crl_url = first_distribution_point_uri(cert, NID_freshest_crl);
  id.sha256_fingerprint = ossl::sha256_colon_fingerprint(der);
  ERR_clear_error();
  return id;
}

}  // namespace

std::optional<std::vector<ossl::Cert>> parse_chain(const std::vector<std::string>& der) {
  std::vector<ossl::Cert> out;
  for (const auto& d : der) {
    ossl::Cert c = ossl::cert_from_der(d);
    if (!c) {
      ERR_clear_error();
      return std::nullopt;
    }
    out.push_back(std::move(c));
  }
  return out;
}

TrustAnchors::TrustAnchors(const std::string& pem) : impl_(std::make_unique<Impl>()) {
  impl_->store.reset(ossl::check(X509_STORE_new(), "X509_STORE_new"));
  const ossl::Bio bio = ossl::mem_bio(pem);
  int roots = 0;
  while (X509* raw = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    ossl::Cert cert(raw);
    // Self-signed: a root to trust. Anything else only helps build a path.
    if (X509_check_issued(cert.get(), cert.get()) == X509_V_OK) {
      ossl::check(X509_STORE_add_cert(impl_->store.get(), cert.get()), "X509_STORE_add_cert");
      ++roots;
    } else {
      impl_->untrusted.push_back(std::move(cert));
    }
  }
  ERR_clear_error();
  if (roots == 0) throw std::runtime_error("no self-signed root certificate in the PEM to trust");
}

TrustAnchors::~TrustAnchors() = default;
TrustAnchors::TrustAnchors(TrustAnchors&&) noexcept = default;
TrustAnchors& TrustAnchors::operator=(TrustAnchors&&) noexcept = default;

VerifyOutcome run_verify(const TrustAnchors::Impl& anchors, X509* leaf,
                         const std::vector<ossl::Cert>& presented_rest, TimePoint at,
                         const VerifyInputs& inputs) {
  VerifyOutcome out;
  // The stack owns what it holds (sk_X509_pop_free): each certificate gets its own reference, the
  // callers' vectors keep theirs.
  const ossl::CertStack untrusted(ossl::check(sk_X509_new_null(), "sk_X509_new_null"));
  for (const auto* list : {&presented_rest, &anchors.untrusted}) {
    for (const auto& c : *list) {
      ossl::check(X509_up_ref(c.get()), "X509_up_ref");
      if (sk_X509_push(untrusted.get(), c.get()) <= 0) {
        X509_free(c.get());
        ossl::fail("sk_X509_push");
      }
    }
  }
  const StoreCtx ctx(ossl::check(X509_STORE_CTX_new(), "X509_STORE_CTX_new"));
  ossl::check(X509_STORE_CTX_init(ctx.get(), anchors.store.get(), leaf, untrusted.get()),
              "X509_STORE_CTX_init");
  VerifyState state{&inputs, X509_V_OK, 0};
  X509_STORE_CTX_set_ex_data(ctx.get(), state_index(), &state);
  X509_STORE_CTX_set_verify_cb(ctx.get(), remember_first_error);
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_CLIENT);
  X509_STORE_CTX_set_time(ctx.get(), 0,
                          static_cast<time_t>(std::chrono::system_clock::to_time_t(at)));
  if (inputs.flags != 0) X509_STORE_CTX_set_flags(ctx.get(), inputs.flags);
  if (inputs.crls != nullptr) X509_STORE_CTX_set0_crls(ctx.get(), inputs.crls);
  const int rc = X509_verify_cert(ctx.get());
  if (rc == 1) {
    STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
    for (int i = 0; i < sk_X509_num(chain); ++i) {
      X509* c = sk_X509_value(chain, i);
      X509_up_ref(c);
      out.chain.emplace_back(c);
    }
  } else {
    out.error = state.error != X509_V_OK ? state.error : X509_STORE_CTX_get_error(ctx.get());
    if (out.error == X509_V_OK) out.error = X509_V_ERR_UNSPECIFIED;
    out.depth = state.error != X509_V_OK ? state.depth : X509_STORE_CTX_get_error_depth(ctx.get());
    out.text = X509_verify_cert_error_string(out.error);
  }
  ERR_clear_error();
  return out;
}

ChainVerdict TrustAnchors::verify(const std::vector<std::string>& presented, TimePoint at) const {
  ChainVerdict verdict;
  if (presented.empty()) {
    verdict.problem = ChainProblem::no_certificate;
    return verdict;
  }
  if (presented.size() > kMaxPresented) {
    verdict.problem = ChainProblem::unknown_ca;
    verdict.detail = "more certificates than any path of ours has";
    return verdict;
  }
  auto certs = parse_chain(presented);
  if (!certs) {
    verdict.problem = ChainProblem::unreadable;
    verdict.detail = "a presented certificate is not DER";
    return verdict;
  }
  X509* leaf = (*certs)[0].get();
  const std::vector<ossl::Cert> rest(std::make_move_iterator(certs->begin() + 1),
                                     std::make_move_iterator(certs->end()));
  const VerifyOutcome outcome = run_verify(*impl_, leaf, rest, at, {});
  if (outcome.error != X509_V_OK) {
    verdict.problem = problem_of(outcome.error, outcome.depth);
    verdict.detail = fmt::format("{} (depth {})", outcome.text, outcome.depth);
    return verdict;
  }
  // A terminal certificate is an end entity under an issuing CA under the root: not a CA itself,
  // and not the root's own child (the issuing CA, an OCSP responder of another profile).
  if (X509_check_ca(leaf) != 0 || outcome.chain.size() != 3) {
    verdict.problem = ChainProblem::not_a_terminal;
    verdict.detail = fmt::format("a path of {} certificates, the first {}a CA",
                                 outcome.chain.size(), X509_check_ca(leaf) != 0 ? "" : "not ");
    return verdict;
  }
  verdict.problem = ChainProblem::none;
  for (const auto& c : outcome.chain) verdict.chain.push_back(ossl::cert_der(c.get()));
  return verdict;
}

}  // namespace onshi::pki
