#include "domain/network_line.hpp"

#include <array>

#include "util/text.hpp"

namespace onshi::domain {
namespace {

constexpr std::array kLines = {
    NetworkLine::flets_next_east,     NetworkLine::flets_next_west,
    NetworkLine::flets_cross_east,    NetworkLine::flets_cross_west,
    NetworkLine::hikari_collabo_east, NetworkLine::hikari_collabo_west,
    NetworkLine::ipsec_ike,
};

}  // namespace

std::span<const NetworkLine> all_network_lines() {
  return kLines;
}

std::string_view line_key(NetworkLine line) {
  switch (line) {
    case NetworkLine::flets_next_east:
      return "flets_next_east";
    case NetworkLine::flets_next_west:
      return "flets_next_west";
    case NetworkLine::flets_cross_east:
      return "flets_cross_east";
    case NetworkLine::flets_cross_west:
      return "flets_cross_west";
    case NetworkLine::hikari_collabo_east:
      return "hikari_collabo_east";
    case NetworkLine::hikari_collabo_west:
      return "hikari_collabo_west";
    case NetworkLine::ipsec_ike:
      return "ipsec_ike";
  }
  return "unknown";
}

std::optional<NetworkLine> parse_line_key(std::string_view key) {
  for (const auto line : kLines) {
    if (line_key(line) == key) return line;
  }
  return std::nullopt;
}

std::optional<LineCarrier> required_carrier(NetworkLine line) {
  switch (line) {
    case NetworkLine::flets_next_east:
    case NetworkLine::flets_cross_east:
    case NetworkLine::hikari_collabo_east:
      return LineCarrier::ntt_east;
    case NetworkLine::flets_next_west:
    case NetworkLine::flets_cross_west:
    case NetworkLine::hikari_collabo_west:
      return LineCarrier::ntt_west;
    case NetworkLine::ipsec_ike:
      return std::nullopt;
  }
  return std::nullopt;
}

std::string_view error_key(LineCustomerIdError error) {
  switch (error) {
    case LineCustomerIdError::required:
      return "customer_id.required";
    case LineCustomerIdError::wrong_carrier:
      return "customer_id.wrong_carrier";
    case LineCustomerIdError::not_applicable:
      return "customer_id.not_applicable";
  }
  return "customer_id.invalid";
}

std::expected<std::string, LineCustomerIdCheck> customer_id_for_line(NetworkLine line,
                                                                     std::string_view typed) {
  const auto carrier = required_carrier(line);
  const bool empty = util::normalize_code_input(typed).empty();
  if (!carrier) {
    if (!empty)
      return std::unexpected(LineCustomerIdCheck{LineCustomerIdError::not_applicable, {}});
    return std::string();
  }
  if (empty) return std::unexpected(LineCustomerIdCheck{LineCustomerIdError::required, {}});
  auto id = CustomerId::parse(typed);
  if (!id) return std::unexpected(LineCustomerIdCheck{{}, id.error()});
  if (id->carrier() != *carrier) {
    return std::unexpected(LineCustomerIdCheck{LineCustomerIdError::wrong_carrier, {}});
  }
  return id->value();
}

}  // namespace onshi::domain
