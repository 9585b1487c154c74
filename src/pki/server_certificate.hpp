#pragma once
// The TLS server certificate of `onshi serve` itself (EST and the portal over HTTPS), issued by the
// issuing CA for development and tests: `onshi ca server-cert --dns NAME --ip ADDR --out DIR`.
#include <string>
#include <string_view>
#include <vector>

namespace onshi::pki {

struct ServerCertificate {
  std::string certificate_pem;  // the server's certificate alone
  std::string chain_pem;        // the server's certificate, then the issuing CA's: what TLS sends
  std::string private_key_pem;  // PKCS#8, unencrypted: the server reads it at start-up
  std::string serial_hex;
};

// What a name given on the command line can be refused for.
enum class ServerNameError {
  no_names,        // neither a DNS name nor an IP address
  bad_dns_name,    // not letters, digits and hyphens in dot-separated labels (RFC 1123), ≤ 253
  bad_ip_address,  // not an IPv4 or IPv6 address
};
std::string_view server_name_error_text(ServerNameError e);

// An IPv4 or IPv6 address in network order (4 or 16 bytes), or empty when `text` is neither.
std::string ip_address_octets(std::string_view text);
// Whether `name` is a DNS host name a certificate may carry: labels of letters, digits and
// hyphens, not starting or ending with a hyphen, 1..63 octets each, 253 in all; a leading "*."
// wildcard is refused (one server, its own names).
bool is_dns_host_name(std::string_view name);

}  // namespace onshi::pki
