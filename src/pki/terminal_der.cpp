// The DER pieces of a terminal certificate (CPIPCS 7.1.1) that terminal_signer.cpp assembles: the
// profile's extensions, the subject's names and key, the serial, and the subject's RFC 2253 line.
// Each writes the octets OpenSSL writes for the same input (terminal_signer_test compares them).
#include "pki/terminal_der.hpp"

#include "pki/der.hpp"
#include "pki/profiles.hpp"
#include "pki/x509_build.hpp"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include <algorithm>
#include <stdexcept>
#include <tuple>

namespace onshi::pki::detail {
namespace {

using namespace std::string_view_literals;

constexpr unsigned char kOid = 0x06;
constexpr unsigned char kSet = 0x31;

// SubjectPublicKeyInfo of a named-curve key with an uncompressed point, up to the point: the form
// OpenSSL writes, so such a key can go into the certificate as it came.
constexpr std::string_view kP256Prefix =
    "\x30\x59\x30\x13\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07"
    "\x03\x42\x00"sv;
constexpr std::string_view kP384Prefix =
    "\x30\x76\x30\x10\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x05\x2b\x81\x04\x00\x22\x03\x62\x00"sv;

// DistributionPoint { distributionPoint [0] { fullName [0] { uniformResourceIdentifier [6] } } }
std::string distribution_points(std::string_view url) {
  return der::tlv(der::kSequence,
                  der::tlv(der::kSequence, der::tlv(0xa0, der::tlv(0xa0, der::tlv(0x86, url)))));
}

std::string oid_der(const std::string& dotted) {
  ossl::Object obj(OBJ_txt2obj(dotted.c_str(), 1));  // 1: dotted numbers only, never a name
  if (!obj) {
    ERR_clear_error();
    throw std::invalid_argument("bad policy OID: " + dotted);
  }
  unsigned char* buf = nullptr;
  const int len = i2d_ASN1_OBJECT(obj.get(), &buf);
  if (len <= 0) ossl::fail("i2d_ASN1_OBJECT");
  std::string out(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(len));
  OPENSSL_free(buf);
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string sha1(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  ossl::check(EVP_Digest(data.data(), data.size(), md, &len, EVP_sha1(), nullptr), "SHA-1");
  return std::string(reinterpret_cast<const char*>(md), len);
}

// What X509_NAME_print_ex escapes with XN_FLAG_RFC2253 minus ASN1_STRFLGS_ESC_MSB (ossl::rfc2253),
// for one value read octet by octet: ,+"\<>; always, # and space first, space last (for a value
// of one octet only "last" counts, as in OpenSSL's do_buf), control octets as \XX.
void put_rfc2253_value(std::string& out, std::string_view v) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (std::size_t i = 0; i < v.size(); ++i) {
    const auto c = static_cast<unsigned char>(v[i]);
    const bool last = i + 1 == v.size();
    const bool first = i == 0 && !last;
    if (std::string_view(",+\"\\<>;").find(static_cast<char>(c)) != std::string_view::npos ||
        (first && (c == '#' || c == ' ')) || (last && c == ' ')) {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c == 0x7f) {
      out.push_back('\\');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0f]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
}

const EC_GROUP* group(int nid) {
  // Built once and only read after: EC_POINT_oct2point takes the group const.
  static const auto p256 = std::unique_ptr<EC_GROUP, ossl::Deleter<EC_GROUP_free>>(
      EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
  static const auto p384 = std::unique_ptr<EC_GROUP, ossl::Deleter<EC_GROUP_free>>(
      EC_GROUP_new_by_curve_name(NID_secp384r1));
  return ossl::check(nid == NID_secp384r1 ? p384.get() : p256.get(), "EC_GROUP_new_by_curve_name");
}

}  // namespace

void put_extension(std::string& out, std::string_view oid, bool critical, std::string_view value) {
  std::string body = der::tlv(kOid, oid);
  if (critical) body.append("\x01\x01\xff", 3);
  der::put_tlv(body, der::kOctetString, value);
  der::put_tlv(out, der::kSequence, body);
}

std::string profile_extensions(const TerminalProfile& p) {
  std::string out;
  if (!p.crl_url.empty()) put_extension(out, "\x55\x1d\x1f", false, distribution_points(p.crl_url));
  if (!p.delta_crl_url.empty())
    put_extension(out, "\x55\x1d\x2e", false, distribution_points(p.delta_crl_url));
  std::string aia;
  if (!p.ocsp_url.empty()) {
    der::put_tlv(aia, der::kSequence,
                 der::tlv(kOid, "\x2b\x06\x01\x05\x05\x07\x30\x01") + der::tlv(0x86, p.ocsp_url));
  }
  if (!p.ca_issuers_url.empty()) {
    der::put_tlv(
        aia, der::kSequence,
        der::tlv(kOid, "\x2b\x06\x01\x05\x05\x07\x30\x02") + der::tlv(0x86, p.ca_issuers_url));
  }
  if (!aia.empty()) {
    put_extension(out, "\x2b\x06\x01\x05\x05\x07\x01\x01", false, der::tlv(der::kSequence, aia));
  }
  if (!p.policy_oid.empty()) {
    std::string info = oid_der(p.policy_oid);
    if (!p.cps_url.empty()) {
      const std::string qualifier = der::tlv(kOid, "\x2b\x06\x01\x05\x05\x07\x02\x01") +
                                    der::tlv(0x16, p.cps_url);  // id-qt-cps, IA5String
      der::put_tlv(info, der::kSequence, der::tlv(der::kSequence, qualifier));
    }
    put_extension(out, "\x55\x1d\x20", false,
                  der::tlv(der::kSequence, der::tlv(der::kSequence, info)));
  }
  return out;
}

std::string serial_magnitude(std::string_view hex) {
  if (hex.empty() || hex.size() > 40 ||
      hex.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos) {
    throw std::invalid_argument("serial must be 1 to 40 hex digits");
  }
  while (!hex.empty() && hex.front() == '0') hex.remove_prefix(1);
  // RFC 5280 4.1.2.2: positive, and at most 20 octets once DER adds a sign byte.
  if (hex.empty() || hex.size() > 40 || (hex.size() == 40 && hex_digit(hex.front()) >= 8)) {
    throw std::invalid_argument("serial must be positive and fit in 20 octets");
  }
  std::string out;
  std::size_t i = 0;
  if (hex.size() % 2 == 1) out.push_back(static_cast<char>(hex_digit(hex[i++])));
  for (; i < hex.size(); i += 2)
    out.push_back(static_cast<char>(hex_digit(hex[i]) << 4 | hex_digit(hex[i + 1])));
  return out;
}

void put_rdn(std::string& out, std::string_view oid, unsigned char type, std::string_view value) {
  const std::string atv = der::tlv(kOid, oid) + der::tlv(type, value);
  der::put_tlv(out, kSet, der::tlv(der::kSequence, atv));
}

std::string pem_of(std::string_view der) {
  std::string out = "-----BEGIN CERTIFICATE-----\n";
  unsigned char line[65];
  for (std::size_t at = 0; at < der.size(); at += 48) {
    const std::size_t n = std::min<std::size_t>(48, der.size() - at);
    const int len = EVP_EncodeBlock(line, reinterpret_cast<const unsigned char*>(der.data() + at),
                                    static_cast<int>(n));
    out.append(reinterpret_cast<const char*>(line), static_cast<std::size_t>(len));
    out.push_back('\n');
  }
  out += "-----END CERTIFICATE-----\n";
  return out;
}

SubjectKey subject_key(std::string_view der) {
  for (const auto& [prefix, nid, point_size] :
       {std::tuple{kP256Prefix, NID_X9_62_prime256v1, std::size_t{65}},
        std::tuple{kP384Prefix, NID_secp384r1, std::size_t{97}}}) {
    if (der.size() != prefix.size() + point_size || !der.starts_with(prefix) ||
        der[prefix.size()] != '\x04')
      continue;
    const std::string_view point = der.substr(prefix.size());
    std::unique_ptr<EC_POINT, ossl::Deleter<EC_POINT_free>> p(
        ossl::check(EC_POINT_new(group(nid)), "EC_POINT_new"));
    if (EC_POINT_oct2point(group(nid), p.get(),
                           reinterpret_cast<const unsigned char*>(point.data()), point.size(),
                           nullptr) != 1) {
      ERR_clear_error();
      throw std::invalid_argument("unreadable public key");
    }
    return SubjectKey{std::string(der), sha1(point), false};
  }
  ossl::Pkey key = ossl::public_key_from_der(der);
  if (!key) throw std::invalid_argument("unreadable public key");
  if (auto error = terminal_key_policy_error(key.get())) {
    throw std::invalid_argument("terminal key refused: " + std::string(csr_error_name(*error)));
  }
  return SubjectKey{ossl::public_key_der(key.get()), key_identifier(key.get()),
                    EVP_PKEY_is_a(key.get(), "RSA") == 1};
}

std::string terminal_subject_rfc2253(std::string_view organization, std::string_view unit,
                                     std::string_view common_name, std::string_view serial_number) {
  std::string out = "serialNumber=";
  put_rfc2253_value(out, serial_number);
  out += ",CN=";
  put_rfc2253_value(out, common_name);
  out += ",OU=";
  put_rfc2253_value(out, unit);
  out += ",O=";
  put_rfc2253_value(out, organization);
  out += ",C=JP";
  return out;
}

}  // namespace onshi::pki::detail
