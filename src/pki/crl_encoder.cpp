#include "pki/crl_encoder.hpp"

#include "pki/der.hpp"
#include "pki/x509_build.hpp"

#include <openssl/objects.h>

#include <mutex>
#include <stdexcept>

namespace onshi::pki::detail {
namespace {

// Object identifiers of RFC 5280, content octets only.
constexpr std::string_view kReasonCode = "\x55\x1d\x15";                // 2.5.29.21
constexpr std::string_view kInvalidityDate = "\x55\x1d\x18";            // 2.5.29.24
constexpr std::string_view kCrlNumber = "\x55\x1d\x14";                 // 2.5.29.20
constexpr std::string_view kDeltaCrlIndicator = "\x55\x1d\x1b";         // 2.5.29.27
constexpr std::string_view kIssuingDistributionPoint = "\x55\x1d\x1c";  // 2.5.29.28
constexpr std::string_view kAuthorityKeyIdentifier = "\x55\x1d\x23";    // 2.5.29.35
constexpr std::string_view kFreshestCrl = "\x55\x1d\x2e";               // 2.5.29.46

constexpr unsigned char kOid = 0x06;
constexpr unsigned char kBoolean = 0x01;

// Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
void put_extension(std::string& out, std::string_view oid, bool critical, std::string_view value) {
  std::string body = der::tlv(kOid, oid);
  if (critical) body.append("\x01\x01\xff", 3);
  der::put_tlv(body, der::kOctetString, value);
  der::put_tlv(out, der::kSequence, body);
}

// DistributionPointName ::= CHOICE { fullName [0] GeneralNames } holding one URI ([6] IA5String),
// under the [0] of the structure that carries it (EXPLICIT: a CHOICE cannot be tagged otherwise).
std::string distribution_point_name(std::string_view url) {
  return der::tlv(0xa0, der::tlv(0xa0, der::tlv(0x86, url)));
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The INTEGER content of a serial: its octets without leading zeros, a zero in front when the
// top bit is set. RFC 5280 4.1.2.2: positive, at most 20 octets.
std::size_t serial_octets(std::string_view hex, unsigned char (&out)[21]) {
  if (hex.empty() || hex.size() > 42) throw std::invalid_argument("CRL entry: bad serial");
  unsigned char raw[21];
  std::size_t n = 0;
  std::size_t i = 0;
  if (hex.size() % 2 == 1) {
    const int d = hex_digit(hex[0]);
    if (d < 0) throw std::invalid_argument("CRL entry: bad serial");
    raw[n++] = static_cast<unsigned char>(d);
    i = 1;
  }
  for (; i < hex.size(); i += 2) {
    const int hi = hex_digit(hex[i]);
    const int lo = hex_digit(hex[i + 1]);
    if (hi < 0 || lo < 0) throw std::invalid_argument("CRL entry: bad serial");
    raw[n++] = static_cast<unsigned char>(hi << 4 | lo);
  }
  std::size_t start = 0;
  while (start < n && raw[start] == 0) ++start;
  if (start == n) throw std::invalid_argument("CRL entry: serial zero");
  if (n - start > 20) throw std::invalid_argument("CRL entry: serial longer than 20 octets");
  std::size_t len = 0;
  if (raw[start] & 0x80) out[len++] = 0;
  for (std::size_t k = start; k < n; ++k) out[len++] = raw[k];
  return len;
}

// The octets a SEQUENCE header may take at most here: tag and a length of up to 4 octets.
constexpr std::size_t kMaxHeader = 6;

}  // namespace

CrlEncoder::CrlEncoder(const X509* issuer, EVP_PKEY* key, const CrlFields& fields, Scope scope)
    : key_(key), md_(ossl::digest_for(key)), fields_(fields), scope_(scope) {
  if (fields.number < 0 || (fields.delta_base && *fields.delta_base < 0))
    throw std::invalid_argument("CRL number below zero");
  if (fields.delta_base && *fields.delta_base >= fields.number)
    throw std::invalid_argument("a delta CRL's base must come before it");
  if (fields.next_update <= fields.this_update)
    throw std::invalid_argument("nextUpdate must follow thisUpdate");
  if (scope == Scope::user_certificates && fields.distribution_point.empty())
    throw std::invalid_argument("a CRL needs its distribution point");
  // OpenSSL 3.0 takes a non-const X509 here though it only reads (it caches the extensions).
  if (const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(const_cast<X509*>(issuer))) {
    key_id_.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(ski)),
                   static_cast<std::size_t>(ASN1_STRING_length(ski)));
  } else {
    key_id_ = key_identifier(X509_get0_pubkey(issuer));
  }
  algorithm_ = signature_algorithm_der(key, md_);
  prefix_.append("\x02\x01\x01", 3);  // version v2
  prefix_.append(algorithm_);
  prefix_.append(ossl::name_der(X509_get_subject_name(issuer)));
  der::put_time(prefix_, fields.this_update);
  der::put_time(prefix_, fields.next_update);
  // The outer SEQUENCE, the TBS SEQUENCE, the prefix and the revokedCertificates SEQUENCE go in
  // front of the entries once their length is known, so the entries are written only once.
  gap_ = kMaxHeader + kMaxHeader + prefix_.size() + kMaxHeader;
  buffer_.assign(gap_, '\0');
}

void CrlEncoder::reserve(std::size_t entries) {
  // An entry with a 16-octet serial, a reason and an invalidity date is 74 octets.
  buffer_.reserve(gap_ + entries * 76 + 1024);
}

void CrlEncoder::add(const CrlEntry& e) {
  if (signed_) throw std::logic_error("a CRL is signed once");
  unsigned char serial[21];
  const std::size_t serial_len = serial_octets(e.serial_hex, serial);
  std::string exts;
  if (e.reason != 0) {
    if (e.reason < 0 || e.reason > 10 || e.reason == 7)
      throw std::invalid_argument("CRL entry: no such reason code");
    const char value[] = {der::kEnumerated, 1, static_cast<char>(e.reason)};
    put_extension(exts, kReasonCode, false, std::string_view(value, 3));
  }
  if (e.invalidity_date) {
    std::string value;
    der::put_time(value, *e.invalidity_date, true);
    put_extension(exts, kInvalidityDate, false, value);
  }
  std::string time;
  der::put_time(time, e.revoked_at);
  const std::size_t exts_len = exts.empty() ? 0 : 1 + der::length_size(exts.size()) + exts.size();
  const std::size_t body = 2 + serial_len + time.size() + exts_len;
  der::put_header(buffer_, der::kSequence, body);
  der::put_header(buffer_, der::kInteger, serial_len);
  buffer_.append(reinterpret_cast<const char*>(serial), serial_len);
  buffer_.append(time);
  if (!exts.empty()) der::put_tlv(buffer_, der::kSequence, exts);
  ++entries_;
}

std::string CrlEncoder::extensions() const {
  std::string list;
  put_extension(list, kAuthorityKeyIdentifier, false,
                der::tlv(der::kSequence, der::tlv(0x80, key_id_)));
  put_extension(list, kCrlNumber, false, der::integer(static_cast<std::uint64_t>(fields_.number)));
  if (fields_.delta_base) {
    put_extension(list, kDeltaCrlIndicator, true,
                  der::integer(static_cast<std::uint64_t>(*fields_.delta_base)));
  }
  // onlyContainsUserCerts [1] or onlyContainsCACerts [2], IMPLICIT BOOLEAN TRUE. The ARL names
  // no point: with -crl_check_all OpenSSL checks the root against it too, and a root has no
  // cRLDistributionPoints to match one (RFC 5280 6.3.3 (b)(2)(i) would refuse the scope).
  std::string idp;
  if (scope_ == Scope::user_certificates) {
    idp = distribution_point_name(fields_.distribution_point);
    idp.append("\x81\x01\xff", 3);
  } else {
    idp.assign("\x82\x01\xff", 3);
  }
  put_extension(list, kIssuingDistributionPoint, true, der::tlv(der::kSequence, idp));
  if (!fields_.delta_base && !fields_.freshest_crl.empty()) {
    const std::string point =
        der::tlv(der::kSequence, distribution_point_name(fields_.freshest_crl));
    put_extension(list, kFreshestCrl, false, der::tlv(der::kSequence, point));
  }
  return der::tlv(0xa0, der::tlv(der::kSequence, list));
}

std::string CrlEncoder::sign(std::mutex& key_lock) {
  if (signed_) throw std::logic_error("a CRL is signed once");
  signed_ = true;
  const std::size_t entries_len = buffer_.size() - gap_;
  buffer_.append(extensions());
  // RFC 5280 5.1.2.6: no entries, no revokedCertificates field at all (not an empty SEQUENCE).
  std::string head;
  const std::size_t revoked_len = entries_ == 0 ? 0 : 1 + der::length_size(entries_len);
  const std::size_t tbs_len = prefix_.size() + revoked_len + (buffer_.size() - gap_);
  der::put_header(head, der::kSequence, tbs_len);
  head.append(prefix_);
  if (entries_ != 0) der::put_header(head, der::kSequence, entries_len);
  const std::size_t tbs_start = gap_ - head.size();
  buffer_.replace(tbs_start, head.size(), head);
  const auto* tbs = reinterpret_cast<const unsigned char*>(buffer_.data() + tbs_start);
  const std::size_t tbs_size = buffer_.size() - tbs_start;

  ossl::MdCtx ctx(ossl::check(EVP_MD_CTX_new(), "EVP_MD_CTX_new"));
  std::string signature;
  {
    std::lock_guard lock(key_lock);
    ossl::check(EVP_DigestSignInit(ctx.get(), nullptr, md_, nullptr, key_), "EVP_DigestSignInit");
    std::size_t sig_len = 0;
    ossl::check(EVP_DigestSign(ctx.get(), nullptr, &sig_len, tbs, tbs_size), "EVP_DigestSign");
    signature.assign(sig_len + 1, '\0');  // a BIT STRING's first octet: no unused bits
    ossl::check(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data() + 1),
                               &sig_len, tbs, tbs_size),
                "EVP_DigestSign");
    signature.resize(sig_len + 1);
  }

  buffer_.append(algorithm_);
  der::put_tlv(buffer_, der::kBitString, signature);
  std::string outer;
  der::put_header(outer, der::kSequence, buffer_.size() - tbs_start);
  const std::size_t start = tbs_start - outer.size();
  buffer_.replace(start, outer.size(), outer);
  // In place: the gap's unused octets move out, the list is not copied.
  buffer_.erase(0, start);
  return std::move(buffer_);
}

}  // namespace onshi::pki::detail
