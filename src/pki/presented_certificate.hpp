#pragma once
// A client certificate chain as a TLS client presented it (the portal's 接続確認 page): what its
// own certificate says of itself and, by OpenSSL's own verification, why the chain does or does
// not lead to the CA. The TLS listener only records whether it verified; a person at the terminal
// needs to know why not (another CA, expired, not yet valid, not for client authentication).
#include <chrono>
#include <string>
#include <vector>

namespace onshi::pki {

// What is wrong with a chain, each at most once, in this order.
enum class ChainProblem {
  other_ca,       // does not lead to the trusted root (another CA, a self-signed certificate)
  expired,        // the client's own certificate is past its notAfter
  not_yet_valid,  // before its notBefore
  wrong_purpose,  // not fit for TLS client authentication (extendedKeyUsage, keyUsage)
  other,          // anything else OpenSSL refused (an expired CA certificate, a bad signature)
};
// "other_ca", …: app/ and the catalogue name them so.
std::string_view chain_problem_name(ChainProblem p);

struct PresentedCertificate {
  bool readable = false;   // false: the first certificate is no DER certificate
  std::string serial_hex;  // as IssuedCertificate::serial_hex spells it
  // Subject attributes as UTF-8 (the first of each; "" when missing or not decodable), each cut
  // to kMaxAttributeCodePoints: a client may send any name.
  std::string organization;         // O: the institution's name in ours
  std::string organizational_unit;  // OU: its 医療機関等コード
  std::string common_name;          // CN: "<code>-T01"
  std::string serial_number;        // serialNumber: the 発行番号
  std::string issuer_common_name;   // the issuer's CN, or its whole name when it has none
  std::chrono::system_clock::time_point not_before, not_after;
  std::vector<ChainProblem> problems;  // empty: it verified
  std::string openssl_error;           // the first error as OpenSSL words it, for the log
};

inline constexpr std::size_t kMaxAttributeCodePoints = 128;
// At most this many certificates of a chain are looked at (the listener's verify depth is 4).
inline constexpr std::size_t kMaxPresentedChain = 8;

// `chain`: DER, the client's own certificate first, then what it sent to help build the path.
// `root_der` is the trust anchor; `intermediates_der` the issuing CA certificates (every
// generation), used to build the path but not trusted by themselves. Verified at `now` for TLS
// client authentication, revocation not checked. Never throws for any bytes a client sends; an
// empty chain gives readable false.
PresentedCertificate examine_presented_chain(const std::vector<std::string>& chain,
                                             const std::string& root_der,
                                             const std::vector<std::string>& intermediates_der,
                                             std::chrono::system_clock::time_point now);

}  // namespace onshi::pki
