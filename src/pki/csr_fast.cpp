#include "pki/csr_fast.hpp"

#include "pki/ossl.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace onshi::pki::detail {
namespace {

using namespace std::string_view_literals;

constexpr std::string_view kPemBegin = "-----BEGIN CERTIFICATE REQUEST-----\n";
constexpr std::string_view kPemEnd = "-----END CERTIFICATE REQUEST-----\n";

// SubjectPublicKeyInfo up to the uncompressed point's 0x04, as OpenSSL writes a named-curve key.
constexpr std::string_view kP256Spki =
    "\x30\x59\x30\x13\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07"
    "\x03\x42\x00\x04"sv;
constexpr std::string_view kP384Spki =
    "\x30\x76\x30\x10\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x05\x2b\x81\x04\x00\x22\x03\x62\x00"
    "\x04"sv;
struct Curve {
  std::string_view spki_prefix;
  const char* group;
  std::string_view description;  // as ossl::describe_key says it
  std::size_t point_size;        // uncompressed, with its 0x04
};
constexpr Curve kCurves[] = {{kP256Spki, "P-256", "ECDSA P-256", 65},
                             {kP384Spki, "P-384", "ECDSA P-384", 97}};

// AlgorithmIdentifier ecdsa-with-SHA256 (1.2.840.10045.4.3.2) without parameters (RFC 5758); the
// last octet is 3 for SHA-384 and 4 for SHA-512.
constexpr std::string_view kEcdsaWith = "\x30\x0a\x06\x08\x2a\x86\x48\xce\x3d\x04\x03"sv;

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// The body of one PEM block as PEM_write lays it out: full 64-column lines, a last line of 1 to 64
// columns, each ending in LF, canonical padding. nullopt for any other layout.
std::optional<std::string> pem_body(std::string_view in) {
  if (!in.starts_with(kPemBegin) || !in.ends_with(kPemEnd)) return std::nullopt;
  std::string_view body =
      in.substr(kPemBegin.size(), in.size() - kPemBegin.size() - kPemEnd.size());
  std::string text;
  text.reserve(body.size());
  while (!body.empty()) {
    const auto nl = body.find('\n');
    if (nl == std::string_view::npos || nl == 0 || nl > 64) return std::nullopt;
    if (nl < 64 && nl + 1 != body.size()) return std::nullopt;  // only the last line is short
    text.append(body.substr(0, nl));
    body.remove_prefix(nl + 1);
  }
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  std::size_t pad = 0;
  while (pad < 2 && text[text.size() - 1 - pad] == '=') ++pad;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < text.size() - pad; ++i) {
    const int v = base64_value(text[i]);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;  // padding bits must be zero
  return out;
}

// Reads DER: definite lengths in the fewest octets, every length within what is left.
struct Reader {
  std::string_view rest;

  // The next TLV if its tag is `tag`, with its content in `content`.
  std::optional<std::string_view> next(unsigned char tag, std::string_view& content) {
    if (rest.size() < 2 || static_cast<unsigned char>(rest[0]) != tag) return std::nullopt;
    std::size_t len = static_cast<unsigned char>(rest[1]);
    std::size_t header = 2;
    if (len == 0x81) {
      if (rest.size() < 3) return std::nullopt;
      len = static_cast<unsigned char>(rest[2]);
      if (len < 0x80) return std::nullopt;
      header = 3;
    } else if (len == 0x82) {
      if (rest.size() < 4) return std::nullopt;
      len = static_cast<std::size_t>(static_cast<unsigned char>(rest[2])) << 8 |
            static_cast<unsigned char>(rest[3]);
      if (len < 0x100) return std::nullopt;
      header = 4;
    } else if (len >= 0x80) {
      return std::nullopt;  // indefinite, or longer than any request kMaxCsrSize lets through
    }
    if (rest.size() - header < len) return std::nullopt;
    const std::string_view whole = rest.substr(0, header + len);
    content = whole.substr(header);
    rest.remove_prefix(whole.size());
    return whole;
  }
};

// Thread-local: an EVP_PKEY_CTX is not for two threads at once, and check_csr runs on many.
struct Contexts {
  ossl::PkeyCtx fromdata{EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr)};
  ossl::MdCtx verify{EVP_MD_CTX_new()};
  bool ready = fromdata && verify && EVP_PKEY_fromdata_init(fromdata.get()) == 1;
};

// Whether `signature` (DER ECDSA-Sig-Value) signs `data` under the point on `group`. False for a
// point not on the curve: EVP_PKEY_fromdata refuses it, as decoding the key would.
bool verifies(const char* group, std::string_view point, const char* digest, std::string_view data,
              std::string_view signature) {
  thread_local Contexts ctx;
  if (!ctx.ready) return false;
  std::array<OSSL_PARAM, 3> params = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(group), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, const_cast<char*>(point.data()),
                                        point.size()),
      OSSL_PARAM_construct_end()};
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.fromdata.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.data()) != 1)
    return false;
  const ossl::Pkey key(raw);
  EVP_MD_CTX_reset(ctx.verify.get());
  return EVP_DigestVerifyInit_ex(ctx.verify.get(), nullptr, digest, nullptr, nullptr, key.get(),
                                 nullptr) == 1 &&
         EVP_DigestVerify(ctx.verify.get(),
                          reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                          data.size()) == 1;
}

std::optional<CheckedCsr> check_der(std::string_view der) {
  std::string_view request, info, version, subject_content, attributes, algorithm, signature;
  Reader outer{der};
  if (!outer.next(0x30, request) || !outer.rest.empty()) return std::nullopt;
  Reader r{request};
  const auto info_tlv = r.next(0x30, info);
  if (!info_tlv) return std::nullopt;
  Reader fields{info};
  if (!fields.next(0x02, version) || version != std::string_view("\x00", 1)) return std::nullopt;
  const auto subject = fields.next(0x30, subject_content);
  if (!subject) return std::nullopt;
  const Curve* curve = nullptr;
  for (const Curve& c : kCurves) {
    if (fields.rest.starts_with(c.spki_prefix) &&
        fields.rest.size() >= c.spki_prefix.size() + c.point_size - 1) {
      curve = &c;
      break;
    }
  }
  if (curve == nullptr) return std::nullopt;
  const std::string_view spki =
      fields.rest.substr(0, curve->spki_prefix.size() + curve->point_size - 1);
  fields.rest.remove_prefix(spki.size());
  if (!fields.next(0xa0, attributes) || !attributes.empty() || !fields.rest.empty())
    return std::nullopt;
  const auto alg = r.next(0x30, algorithm);
  if (!alg || alg->size() != kEcdsaWith.size() + 1 || !alg->starts_with(kEcdsaWith))
    return std::nullopt;
  const char last = alg->back();
  const char* digest = last == '\x02'   ? "SHA256"
                       : last == '\x03' ? "SHA384"
                       : last == '\x04' ? "SHA512"
                                        : nullptr;
  if (digest == nullptr) return std::nullopt;
  if (!r.next(0x03, signature) || !r.rest.empty() || signature.size() < 2 || signature[0] != '\0')
    return std::nullopt;
  // The Name through OpenSSL's own parser: what it refuses inside a request (a UTF8String that is
  // no UTF-8, …) makes the whole request unreadable there.
  const auto* p = reinterpret_cast<const unsigned char*>(subject->data());
  std::unique_ptr<X509_NAME, ossl::Deleter<X509_NAME_free>> name(
      d2i_X509_NAME(nullptr, &p, static_cast<long>(subject->size())));
  if (!name || p != reinterpret_cast<const unsigned char*>(subject->data() + subject->size())) {
    ERR_clear_error();
    return std::nullopt;
  }
  if (!verifies(curve->group, spki.substr(spki.size() - curve->point_size), digest, *info_tlv,
                signature.substr(1))) {
    ERR_clear_error();
    return std::nullopt;
  }
  return CheckedCsr{std::string(spki), std::string(curve->description), std::string(*subject), ""};
}

}  // namespace

std::optional<CheckedCsr> check_plain_ec_csr(std::string_view pem_or_der) {
  if (pem_or_der.empty() || pem_or_der.size() > kMaxCsrSize) return std::nullopt;
  if (pem_or_der.starts_with("-----BEGIN")) {
    const auto der = pem_body(pem_or_der);
    if (!der) return std::nullopt;
    return check_der(*der);
  }
  // DER that happens to contain "-----BEGIN" is PEM to check_csr_openssl.
  if (pem_or_der.find("-----BEGIN") != std::string_view::npos) return std::nullopt;
  return check_der(pem_or_der);
}

}  // namespace onshi::pki::detail
