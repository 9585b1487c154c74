#include "web/forwarded.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace onshi::web {
namespace {

constexpr std::size_t kMaxHops = 32;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// inet_pton wants a NUL-terminated string; addresses are short, so anything longer is no address.
std::optional<std::array<std::uint8_t, 16>> parse_address(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
    text = text.substr(1, text.size() - 2);
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char buffer[INET6_ADDRSTRLEN] = {};
  text.copy(buffer, text.size());
  std::array<std::uint8_t, 16> out{};
  in_addr v4{};
  if (inet_pton(AF_INET, buffer, &v4) == 1) {
    out[10] = 0xff;
    out[11] = 0xff;
    const auto* b = reinterpret_cast<const std::uint8_t*>(&v4.s_addr);
    std::copy(b, b + 4, out.begin() + 12);
    return out;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, buffer, &v6) == 1) {
    std::copy(v6.s6_addr, v6.s6_addr + 16, out.begin());
    return out;
  }
  return std::nullopt;
}

bool is_mapped_v4(const std::array<std::uint8_t, 16>& a) {
  for (int i = 0; i < 10; ++i)
    if (a[i] != 0) return false;
  return a[10] == 0xff && a[11] == 0xff;
}

bool contains(const AddressRange& range, const std::array<std::uint8_t, 16>& a) {
  int bits = range.prefix_bits;
  for (std::size_t i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const auto mask = static_cast<std::uint8_t>(bits >= 8 ? 0xff : 0xff << (8 - bits));
    if ((range.bytes[i] & mask) != (a[i] & mask)) return false;
  }
  return true;
}

bool trusted_address(const std::array<std::uint8_t, 16>& a,
                     const std::vector<AddressRange>& trusted) {
  for (const auto& r : trusted)
    if (contains(r, a)) return true;
  return false;
}

std::string format(const std::array<std::uint8_t, 16>& a) {
  char buffer[INET6_ADDRSTRLEN] = {};
  if (is_mapped_v4(a)) {
    in_addr v4{};
    std::copy(a.begin() + 12, a.end(), reinterpret_cast<std::uint8_t*>(&v4.s_addr));
    inet_ntop(AF_INET, &v4, buffer, sizeof buffer);
  } else {
    in6_addr v6{};
    std::copy(a.begin(), a.end(), v6.s6_addr);
    inet_ntop(AF_INET6, &v6, buffer, sizeof buffer);
  }
  return buffer;
}

}  // namespace

std::expected<std::vector<AddressRange>, std::string> parse_trusted_proxies(
    const std::vector<std::string>& entries) {
  std::vector<AddressRange> out;
  for (const auto& entry : entries) {
    std::string_view text = entry;
    std::optional<int> prefix;
    if (const auto slash = text.find('/'); slash != std::string_view::npos) {
      int bits = -1;
      const auto digits = text.substr(slash + 1);
      const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
      if (ec != std::errc{} || end != digits.data() + digits.size()) return std::unexpected(entry);
      prefix = bits;
      text = text.substr(0, slash);
    }
    const auto address = parse_address(text);
    if (!address) return std::unexpected(entry);
    const bool v4 = is_mapped_v4(*address) && text.find(':') == std::string_view::npos;
    const int maximum = v4 ? 32 : 128;
    if (prefix && (*prefix < 0 || *prefix > maximum)) return std::unexpected(entry);
    AddressRange range;
    range.bytes = *address;
    range.prefix_bits = prefix ? (v4 ? 96 + *prefix : *prefix) : 128;
    out.push_back(range);
  }
  return out;
}

std::string client_address(std::string_view peer, std::string_view x_forwarded_for,
                           const std::vector<AddressRange>& trusted) {
  const auto peer_address = parse_address(peer);
  if (!peer_address) return std::string(peer);
  auto client = *peer_address;
  if (trusted.empty() || !trusted_address(client, trusted)) return format(client);
  // Walk the hops from the right; the list is split by hand so that its length never matters.
  std::string_view rest = x_forwarded_for;
  for (std::size_t hops = 0; hops < kMaxHops && !rest.empty(); ++hops) {
    const auto comma = rest.rfind(',');
    const auto hop = trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(0, comma);
    const auto address = parse_address(hop);
    if (!address) break;
    client = *address;
    if (!trusted_address(client, trusted)) break;
  }
  return format(client);
}

}  // namespace onshi::web
