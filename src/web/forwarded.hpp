#pragma once
// The client's address behind a reverse proxy. A request's X-Forwarded-For is believed only as
// far as the proxies that wrote it are trusted: read from the right, each hop a trusted proxy
// added is stepped over, and the first address no trusted proxy stands for is the client. A
// client can put anything at the left of the header, but nothing right of what the last trusted
// proxy appended, so nothing it writes moves the answer past an untrusted hop. Applied on the plain
// listener only (server_restinio.cpp).
#include <array>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onshi::web {

// One address or network from server.trusted_proxies: "127.0.0.1", "::1", "10.0.0.0/8",
// "fd00::/64". IPv4 is held as IPv4-mapped IPv6, so either spelling of a peer matches.
struct AddressRange {
  std::array<std::uint8_t, 16> bytes{};
  int prefix_bits = 128;
};

// The ranges, or the entry that is neither an address nor a network (a startup error).
std::expected<std::vector<AddressRange>, std::string> parse_trusted_proxies(
    const std::vector<std::string>& entries);

// The address of the client: `peer` (the socket's) unless it is a trusted proxy, then walked
// back through `x_forwarded_for` as described above. At most 32 hops are read; a hop that is no
// address ends the walk at the hop before it (a trusted proxy never writes one). The result is
// the address as written, IPv4-mapped IPv6 as plain IPv4.
std::string client_address(std::string_view peer, std::string_view x_forwarded_for,
                           const std::vector<AddressRange>& trusted);

}  // namespace onshi::web
