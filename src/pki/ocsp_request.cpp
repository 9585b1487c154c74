// The OCSP request grammar of RFC 6960 4.1.1, read from DER:
//   OCSPRequest ::= SEQUENCE { tbsRequest TBSRequest, optionalSignature [0] EXPLICIT Signature OPT
//   } TBSRequest  ::= SEQUENCE { version [0] EXPLICIT INTEGER DEFAULT v1,
//                              requestorName [1] EXPLICIT GeneralName OPTIONAL,
//                              requestList SEQUENCE OF Request,
//                              requestExtensions [2] EXPLICIT Extensions OPTIONAL }
//   Request     ::= SEQUENCE { reqCert CertID, singleRequestExtensions [0] EXPLICIT Extensions OPT
//   } CertID      ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, issuerNameHash OCTET STRING,
//                              issuerKeyHash OCTET STRING, serialNumber INTEGER }
// A signature and a requestor name are accepted and not checked (CPIPCS 7.3: the responder
// answers anyone). Lengths may be in long form even where short would do (some BER encoders),
// but never indefinite.
#include "pki/ocsp_request.hpp"

namespace onshi::pki {
namespace {

constexpr unsigned char kSequence = 0x30;
constexpr unsigned char kInteger = 0x02;
constexpr unsigned char kOctetString = 0x04;
constexpr unsigned char kOid = 0x06;
constexpr unsigned char kBoolean = 0x01;
constexpr unsigned char kExplicit0 = 0xa0;
constexpr unsigned char kExplicit1 = 0xa1;
constexpr unsigned char kExplicit2 = 0xa2;

// The DER contents of the OIDs the responder knows.
constexpr std::string_view kSha1{"\x2b\x0e\x03\x02\x1a", 5};  // 1.3.14.3.2.26
constexpr std::string_view kSha256{"\x60\x86\x48\x01\x65\x03\x04\x02\x01",
                                   9};  // 2.16.840.1.101.3.4.2.1
constexpr std::string_view kNonce{"\x2b\x06\x01\x05\x05\x07\x30\x01\x02", 9};  // id-pkix-ocsp-nonce
constexpr std::string_view kAcceptable{"\x2b\x06\x01\x05\x05\x07\x30\x01\x04",
                                       9};  // acceptableResponses
constexpr std::string_view kPreferredSig{"\x2b\x06\x01\x05\x05\x07\x30\x01\x08",
                                         9};  // RFC 6960 4.4.7

// A serial longer than this is no certificate's (RFC 5280 4.1.2.2 allows 20 octets, plus DER's
// sign octet); the bound keeps the hex conversion small.
constexpr std::size_t kMaxSerialOctets = 32;
constexpr std::size_t kMaxHashOctets = 64;

struct Tlv {
  unsigned char tag = 0;
  std::string_view contents;
  std::string_view whole;  // tag, length and contents
};

// A cursor over one level of DER: each read takes one TLV off the front.
class Reader {
 public:
  explicit Reader(std::string_view data) : rest_(data) {}
  bool empty() const { return rest_.empty(); }
  unsigned char peek() const { return static_cast<unsigned char>(rest_.front()); }

  // The next TLV, or the error; lengths are checked against what is left.
  std::optional<OcspRequestError> next(Tlv& out) {
    if (rest_.size() < 2) return OcspRequestError::truncated;
    const auto tag = static_cast<unsigned char>(rest_[0]);
    // Multi-octet tags never occur in this grammar.
    if ((tag & 0x1f) == 0x1f) return OcspRequestError::not_der;
    std::size_t pos = 1;
    const auto first = static_cast<unsigned char>(rest_[pos++]);
    std::size_t length = first;
    if (first & 0x80) {
      const std::size_t octets = first & 0x7f;
      // 0x80 is BER's indefinite length; more than 4 octets would be gigabytes.
      if (octets == 0 || octets > 4) return OcspRequestError::not_der;
      if (rest_.size() - pos < octets) return OcspRequestError::truncated;
      length = 0;
      for (std::size_t i = 0; i < octets; ++i)
        length = (length << 8) | static_cast<unsigned char>(rest_[pos++]);
    }
    if (rest_.size() - pos < length) return OcspRequestError::truncated;
    out.tag = tag;
    out.contents = rest_.substr(pos, length);
    out.whole = rest_.substr(0, pos + length);
    rest_.remove_prefix(pos + length);
    return std::nullopt;
  }

  // The next TLV, which must carry `tag`.
  std::optional<OcspRequestError> expect(unsigned char tag, Tlv& out) {
    if (empty()) return OcspRequestError::truncated;
    if (peek() != tag) return OcspRequestError::not_der;
    return next(out);
  }

 private:
  std::string_view rest_;
};

// Each field of the grammar is one line that passes its error up; without it every line would
// be three, and the grammar hard to see.
#define ONSHI_TRY(expr)                        \
  do {                                         \
    if (auto failed_ = (expr)) return failed_; \
  } while (false)

std::size_t hash_length(OcspHash h) {
  return h == OcspHash::sha1 ? 20 : h == OcspHash::sha256 ? 32 : 0;
}

std::string serial_hex_of(std::string_view octets) {
  // Negative: not a serial of ours (they are positive by RFC 5280).
  if (static_cast<unsigned char>(octets.front()) & 0x80) return {};
  while (!octets.empty() && octets.front() == '\0') octets.remove_prefix(1);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(octets.size() * 2);
  for (const char c : octets) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0x0f]);
  }
  return out;
}

std::optional<OcspRequestError> read_cert_id(const Tlv& tlv, OcspCertId& out) {
  out.der.assign(tlv.whole);
  Reader r(tlv.contents);
  Tlv algorithm, name_hash, key_hash, serial;
  ONSHI_TRY(r.expect(kSequence, algorithm));
  ONSHI_TRY(r.expect(kOctetString, name_hash));
  ONSHI_TRY(r.expect(kOctetString, key_hash));
  ONSHI_TRY(r.expect(kInteger, serial));
  if (!r.empty()) return OcspRequestError::trailing_bytes;

  Reader a(algorithm.contents);
  Tlv oid, parameters;
  ONSHI_TRY(a.expect(kOid, oid));
  // Parameters are NULL or absent for both digests; anything else is read past, not judged.
  if (!a.empty()) ONSHI_TRY(a.next(parameters));
  if (!a.empty()) return OcspRequestError::trailing_bytes;
  if (oid.contents.empty()) return OcspRequestError::not_der;
  out.hash = oid.contents == kSha1     ? OcspHash::sha1
             : oid.contents == kSha256 ? OcspHash::sha256
                                       : OcspHash::other;
  if (const auto n = hash_length(out.hash); n != 0) {
    if (name_hash.contents.size() != n || key_hash.contents.size() != n)
      return OcspRequestError::bad_hash;
  } else if (name_hash.contents.size() > kMaxHashOctets ||
             key_hash.contents.size() > kMaxHashOctets) {
    return OcspRequestError::bad_hash;
  }
  out.issuer_name_hash.assign(name_hash.contents);
  out.issuer_key_hash.assign(key_hash.contents);
  if (serial.contents.empty() || serial.contents.size() > kMaxSerialOctets)
    return OcspRequestError::not_der;
  out.serial_hex = serial_hex_of(serial.contents);
  return std::nullopt;
}

// Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension; Extension ::= SEQUENCE { extnID OID,
// critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. `nonce` is null where a nonce is not
// expected (a single request's extensions): there a nonce is just another extension.
std::optional<OcspRequestError> read_extensions(std::string_view explicit_contents,
                                                std::optional<std::string>* nonce) {
  Reader outer(explicit_contents);
  Tlv list;
  ONSHI_TRY(outer.expect(kSequence, list));
  if (!outer.empty()) return OcspRequestError::trailing_bytes;
  Reader r(list.contents);
  if (r.empty()) return OcspRequestError::not_der;
  while (!r.empty()) {
    Tlv ext;
    ONSHI_TRY(r.expect(kSequence, ext));
    Reader e(ext.contents);
    Tlv oid, critical, value;
    ONSHI_TRY(e.expect(kOid, oid));
    bool is_critical = false;
    if (!e.empty() && e.peek() == kBoolean) {
      ONSHI_TRY(e.next(critical));
      if (critical.contents.size() != 1) return OcspRequestError::not_der;
      is_critical = critical.contents.front() != '\0';
    }
    ONSHI_TRY(e.expect(kOctetString, value));
    if (!e.empty()) return OcspRequestError::trailing_bytes;

    if (nonce != nullptr && oid.contents == kNonce) {
      if (nonce->has_value()) return OcspRequestError::bad_nonce;
      // RFC 8954: the extnValue holds Nonce ::= OCTET STRING (SIZE(1..32)), nothing after it.
      Reader v(value.contents);
      Tlv inner;
      if (v.empty() || v.peek() != kOctetString || v.next(inner) || !v.empty() ||
          inner.contents.empty() || inner.contents.size() > kOcspMaxNonceOctets) {
        return OcspRequestError::bad_nonce;
      }
      nonce->emplace(value.contents);
    } else if (is_critical && oid.contents != kAcceptable && oid.contents != kPreferredSig) {
      // acceptableResponses and preferredSignatureAlgorithms are understood: the one response
      // type (basic) and the one signature the responder has are what any client can read.
      return OcspRequestError::critical_extension;
    }
  }
  return std::nullopt;
}

std::optional<OcspRequestError> read_request(const Tlv& tlv, OcspCertId& out) {
  Reader r(tlv.contents);
  Tlv cert_id;
  ONSHI_TRY(r.expect(kSequence, cert_id));
  ONSHI_TRY(read_cert_id(cert_id, out));
  if (!r.empty()) {
    Tlv extensions;
    ONSHI_TRY(r.expect(kExplicit0, extensions));
    ONSHI_TRY(read_extensions(extensions.contents, nullptr));
  }
  if (!r.empty()) return OcspRequestError::trailing_bytes;
  return std::nullopt;
}

std::optional<OcspRequestError> read_tbs(const Tlv& tlv, std::size_t max_certificates,
                                         OcspRequest& out) {
  Reader r(tlv.contents);
  if (r.empty()) return OcspRequestError::truncated;
  if (r.peek() == kExplicit0) {
    Tlv version;
    ONSHI_TRY(r.next(version));
    Reader v(version.contents);
    Tlv number;
    ONSHI_TRY(v.expect(kInteger, number));
    if (!v.empty()) return OcspRequestError::trailing_bytes;
    if (number.contents.size() != 1 || number.contents.front() != '\0')
      return OcspRequestError::version;
  }
  if (!r.empty() && r.peek() == kExplicit1) {
    Tlv requestor;
    ONSHI_TRY(r.next(requestor));
  }
  Tlv list;
  ONSHI_TRY(r.expect(kSequence, list));
  Reader requests(list.contents);
  if (requests.empty()) return OcspRequestError::no_certificates;
  while (!requests.empty()) {
    if (out.certs.size() == max_certificates) return OcspRequestError::too_many;
    Tlv request;
    ONSHI_TRY(requests.expect(kSequence, request));
    ONSHI_TRY(read_request(request, out.certs.emplace_back()));
  }
  if (!r.empty()) {
    Tlv extensions;
    ONSHI_TRY(r.expect(kExplicit2, extensions));
    ONSHI_TRY(read_extensions(extensions.contents, &out.nonce));
  }
  if (!r.empty()) return OcspRequestError::trailing_bytes;
  return std::nullopt;
}

}  // namespace

std::string_view ocsp_request_error_name(OcspRequestError e) {
  switch (e) {
    case OcspRequestError::truncated:
      return "truncated";
    case OcspRequestError::trailing_bytes:
      return "trailing_bytes";
    case OcspRequestError::not_der:
      return "not_der";
    case OcspRequestError::version:
      return "version";
    case OcspRequestError::no_certificates:
      return "no_certificates";
    case OcspRequestError::too_many:
      return "too_many";
    case OcspRequestError::bad_hash:
      return "bad_hash";
    case OcspRequestError::bad_nonce:
      return "bad_nonce";
    case OcspRequestError::critical_extension:
      return "critical_extension";
  }
  return "malformed";
}

namespace detail {

std::optional<OcspRequestError> read_ocsp_request(std::string_view der,
                                                  std::size_t max_certificates, OcspRequest& out) {
  out = OcspRequest{};
  Reader top(der);
  Tlv request;
  ONSHI_TRY(top.expect(kSequence, request));
  if (!top.empty()) return OcspRequestError::trailing_bytes;
  Reader r(request.contents);
  Tlv tbs;
  ONSHI_TRY(r.expect(kSequence, tbs));
  ONSHI_TRY(read_tbs(tbs, max_certificates, out));
  if (!r.empty()) {
    Tlv signature;
    ONSHI_TRY(r.expect(kExplicit0, signature));
  }
  if (!r.empty()) return OcspRequestError::trailing_bytes;
  return std::nullopt;
}

}  // namespace detail
}  // namespace onshi::pki

#undef ONSHI_TRY
