#include "pki/presented_certificate.hpp"

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509_vfy.h>

#include <algorithm>

#include "pki/ossl.hpp"
#include "pki/terminal_profile.hpp"

namespace onshi::pki {
namespace {

using StoreCtx = std::unique_ptr<X509_STORE_CTX, ossl::Deleter<X509_STORE_CTX_free>>;
using Store = std::unique_ptr<X509_STORE, ossl::Deleter<X509_STORE_free>>;

// The first `nid` attribute of `name` as UTF-8, or "" when there is none or it does not convert
// (ASN1_STRING_to_UTF8 refuses a UTF8String that is not UTF-8, so what comes out is valid).
std::string attribute(const X509_NAME* name, int nid) {
  if (name == nullptr) return {};
  const int at = X509_NAME_get_index_by_NID(name, nid, -1);
  if (at < 0) return {};
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, at));
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, data);
  if (length < 0) {
    ERR_clear_error();
    return {};
  }
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
  OPENSSL_free(utf8);
  return truncate_code_points(out, kMaxAttributeCodePoints);
}

struct Collected {
  std::vector<ChainProblem> problems;
  int first_error = X509_V_OK;
};

void add(Collected& c, ChainProblem p) {
  if (std::ranges::find(c.problems, p) == c.problems.end()) c.problems.push_back(p);
}

ChainProblem problem_of(int error, int depth) {
  switch (error) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_CERT_REJECTED:
    // A certificate naming our issuing CA but signed by another key: not ours either.
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
      return ChainProblem::other_ca;
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return depth == 0 ? ChainProblem::expired : ChainProblem::other;
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return depth == 0 ? ChainProblem::not_yet_valid : ChainProblem::other;
    case X509_V_ERR_INVALID_PURPOSE:
      return depth == 0 ? ChainProblem::wrong_purpose : ChainProblem::other;
    default:
      return ChainProblem::other;
  }
}

// Lets verification go on past each error, so that one run finds every problem (an expired
// certificate of another CA is both), and records them.
int collect(int ok, X509_STORE_CTX* ctx) {
  if (ok == 1) return 1;
  auto* c = static_cast<Collected*>(X509_STORE_CTX_get_ex_data(ctx, 0));
  const int error = X509_STORE_CTX_get_error(ctx);
  if (c->first_error == X509_V_OK) c->first_error = error;
  add(*c, problem_of(error, X509_STORE_CTX_get_error_depth(ctx)));
  return 1;
}

bool push(STACK_OF(X509) * stack, std::string_view der) {
  ossl::Cert cert = ossl::cert_from_der(der);
  if (!cert || sk_X509_push(stack, cert.get()) <= 0) return false;
  static_cast<void>(cert.release());
  return true;
}

void verify(PresentedCertificate& out, X509* leaf, const std::vector<std::string>& chain,
            const std::string& root_der, const std::vector<std::string>& intermediates_der,
            std::chrono::system_clock::time_point now) {
  Store store(ossl::check(X509_STORE_new(), "X509_STORE_new"));
  if (ossl::Cert root = ossl::cert_from_der(root_der)) {
    ossl::check(X509_STORE_add_cert(store.get(), root.get()), "X509_STORE_add_cert");
  }
  ossl::CertStack untrusted(ossl::check(sk_X509_new_null(), "sk_X509_new_null"));
  const std::size_t sent = std::min(chain.size(), kMaxPresentedChain);
  for (std::size_t i = 1; i < sent; ++i) push(untrusted.get(), chain[i]);
  for (const auto& der : intermediates_der) push(untrusted.get(), der);

  StoreCtx ctx(ossl::check(X509_STORE_CTX_new(), "X509_STORE_CTX_new"));
  ossl::check(X509_STORE_CTX_init(ctx.get(), store.get(), leaf, untrusted.get()),
              "X509_STORE_CTX_init");
  // What the TLS listener asks of a client (SSL_CTX_set_verify_depth, the sslclient purpose).
  ossl::check(X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_CLIENT), "set_purpose");
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_depth(param, 4);
  X509_VERIFY_PARAM_set_time(param, std::chrono::system_clock::to_time_t(now));
  Collected collected;
  X509_STORE_CTX_set_ex_data(ctx.get(), 0, &collected);
  X509_STORE_CTX_set_verify_cb(ctx.get(), collect);
  if (X509_verify_cert(ctx.get()) != 1 && collected.problems.empty()) {
    // Stopped without telling the callback (an internal error): not verified all the same.
    collected.first_error = X509_STORE_CTX_get_error(ctx.get());
    add(collected, ChainProblem::other);
  }
  ERR_clear_error();
  out.problems = std::move(collected.problems);
  if (collected.first_error != X509_V_OK) {
    out.openssl_error = X509_verify_cert_error_string(collected.first_error);
  }
}

}  // namespace

std::string_view chain_problem_name(ChainProblem p) {
  switch (p) {
    case ChainProblem::other_ca:
      return "other_ca";
    case ChainProblem::expired:
      return "expired";
    case ChainProblem::not_yet_valid:
      return "not_yet_valid";
    case ChainProblem::wrong_purpose:
      return "wrong_purpose";
    case ChainProblem::other:
      return "other";
  }
  return "other";
}

PresentedCertificate examine_presented_chain(const std::vector<std::string>& chain,
                                             const std::string& root_der,
                                             const std::vector<std::string>& intermediates_der,
                                             std::chrono::system_clock::time_point now) {
  PresentedCertificate out;
  if (chain.empty()) return out;
  try {
    ossl::Cert leaf = ossl::cert_from_der(chain.front());
    if (!leaf) return out;
    out.serial_hex = ossl::serial_hex(leaf.get());
    const X509_NAME* subject = X509_get_subject_name(leaf.get());
    out.organization = attribute(subject, NID_organizationName);
    out.organizational_unit = attribute(subject, NID_organizationalUnitName);
    out.common_name = attribute(subject, NID_commonName);
    out.serial_number = attribute(subject, NID_serialNumber);
    const X509_NAME* issuer = X509_get_issuer_name(leaf.get());
    out.issuer_common_name = attribute(issuer, NID_commonName);
    if (out.issuer_common_name.empty() && issuer != nullptr) {
      out.issuer_common_name = truncate_code_points(ossl::rfc2253(issuer), kMaxAttributeCodePoints);
    }
    out.not_before = ossl::to_time_point(X509_get0_notBefore(leaf.get()));
    out.not_after = ossl::to_time_point(X509_get0_notAfter(leaf.get()));
    verify(out, leaf.get(), chain, root_der, intermediates_der, now);
    out.readable = true;
  } catch (const std::exception&) {
    // A certificate OpenSSL parsed but cannot describe (a time it cannot convert): none that
    // this CA issued, and the page still answers.
    ERR_clear_error();
    out = PresentedCertificate{};
  }
  return out;
}

}  // namespace onshi::pki
