#include "pki/csr.hpp"

#include "pki/csr_fast.hpp"
#include "pki/ossl.hpp"
#include "pki/profiles.hpp"

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include <optional>

namespace onshi::pki {
namespace {

ossl::Req parse(std::string_view input) {
  if (input.find("-----BEGIN") != std::string_view::npos) {
    ossl::Bio bio = ossl::mem_bio(input);
    return ossl::Req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  }
  const auto* p = reinterpret_cast<const unsigned char*>(input.data());
  ossl::Req req(d2i_X509_REQ(nullptr, &p, static_cast<long>(input.size())));
  if (req && p != reinterpret_cast<const unsigned char*>(input.data()) + input.size()) return {};
  return req;
}

std::string subject_der(X509_REQ* req) {
  unsigned char* buf = nullptr;
  const int len = i2d_X509_NAME(X509_REQ_get_subject_name(req), &buf);
  if (len <= 0) ossl::fail("i2d_X509_NAME");
  std::string out(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(len));
  OPENSSL_free(buf);
  return out;
}

// The subjectAltName the request asks for, as the certificate would carry it; nullopt when its
// extensionRequest does not parse.
std::optional<std::string> subject_alt_name_der(X509_REQ* req) {
  if (X509_REQ_get_attr_by_NID(req, NID_ext_req, -1) < 0) return std::string{};
  STACK_OF(X509_EXTENSION)* exts = X509_REQ_get_extensions(req);
  if (exts == nullptr) {
    ERR_clear_error();
    return std::nullopt;
  }
  std::string out;
  const int at = X509v3_get_ext_by_NID(exts, NID_subject_alt_name, -1);
  if (at >= 0) {
    const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(sk_X509_EXTENSION_value(exts, at));
    out.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
               static_cast<std::size_t>(ASN1_STRING_length(value)));
  }
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  return out;
}

}  // namespace

std::string_view csr_error_name(CsrError e) {
  switch (e) {
    case CsrError::unreadable:
      return "unreadable";
    case CsrError::more_than_one:
      return "more_than_one";
    case CsrError::unsupported_key:
      return "unsupported_key";
    case CsrError::unsupported_curve:
      return "unsupported_curve";
    case CsrError::weak_key:
      return "weak_key";
    case CsrError::rsa_exponent:
      return "rsa_exponent";
    case CsrError::bad_key:
      return "bad_key";
    case CsrError::weak_signature:
      return "weak_signature";
    case CsrError::bad_signature:
      return "bad_signature";
  }
  return "unreadable";
}

std::expected<CheckedCsr, CsrError> check_csr(std::string_view pem_or_der) {
  if (auto checked = detail::check_plain_ec_csr(pem_or_der)) return std::move(*checked);
  return detail::check_csr_openssl(pem_or_der);
}

std::expected<CheckedCsr, CsrError> detail::check_csr_openssl(std::string_view pem_or_der) {
  if (pem_or_der.empty() || pem_or_der.size() > detail::kMaxCsrSize) {
    return std::unexpected(CsrError::unreadable);
  }
  // One box holds one terminal's request: a second block would be ignored silently, and that
  // terminal would go without the certificate its vendor expects.
  if (const auto first = pem_or_der.find("-----BEGIN");
      first != std::string_view::npos &&
      pem_or_der.find("-----BEGIN", first + 1) != std::string_view::npos) {
    return std::unexpected(CsrError::more_than_one);
  }
  ossl::Req req = parse(pem_or_der);
  if (!req) {
    ERR_clear_error();
    return std::unexpected(CsrError::unreadable);
  }
  EVP_PKEY* key = X509_REQ_get0_pubkey(req.get());
  if (key == nullptr) {
    // A key OpenSSL cannot decode at all is of a kind the policy would refuse anyway.
    ERR_clear_error();
    return std::unexpected(CsrError::unsupported_key);
  }
  // The key policy first: its messages tell the vendor what to change, and a bad signature
  // on an unacceptable key would not change the answer.
  if (auto error = detail::terminal_key_policy_error(key)) return std::unexpected(*error);
  {
    ossl::PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
    if (!ctx || EVP_PKEY_public_check(ctx.get()) != 1) {
      ERR_clear_error();
      return std::unexpected(CsrError::bad_key);
    }
  }
  int md_nid = NID_undef;
  int pkey_nid = NID_undef;
  if (OBJ_find_sigid_algs(X509_REQ_get_signature_nid(req.get()), &md_nid, &pkey_nid) == 1 &&
      (md_nid == NID_md5 || md_nid == NID_sha1 || md_nid == NID_md4 || md_nid == NID_md2)) {
    return std::unexpected(CsrError::weak_signature);
  }
  if (X509_REQ_verify(req.get(), key) != 1) {
    ERR_clear_error();
    return std::unexpected(CsrError::bad_signature);
  }
  auto alt_names = subject_alt_name_der(req.get());
  if (!alt_names) return std::unexpected(CsrError::unreadable);
  return CheckedCsr{ossl::public_key_der(key), ossl::describe_key(key), subject_der(req.get()),
                    std::move(*alt_names)};
}

}  // namespace onshi::pki
