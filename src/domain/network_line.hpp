#pragma once
// The network line an institution connects its terminals over, as the usage application asks
// for it, and which お客様ID each kind needs. docs/domain.md says where the list comes from.
#include <expected>
#include <optional>
#include <span>
#include <string_view>

#include "domain/customer_id.hpp"

namespace onshi::domain {

enum class NetworkLine {
  flets_next_east,      // 「フレッツ 光ネクスト」 NTT東日本
  flets_next_west,      // 「フレッツ 光ネクスト」 NTT西日本
  flets_cross_east,     // 「フレッツ 光クロス」 NTT東日本
  flets_cross_west,     // 「フレッツ 光クロス」 NTT西日本
  hikari_collabo_east,  // 光コラボレーション事業者の回線 (NTT東日本の設備)
  hikari_collabo_west,  // 光コラボレーション事業者の回線 (NTT西日本の設備)
  ipsec_ike,            // IPsec+IKE によるインターネット接続 (お客様IDなし)
};

// Every kind, in the order the form offers them.
std::span<const NetworkLine> all_network_lines();

// Stable names for forms, the database and the API: "flets_next_east", ...
std::string_view line_key(NetworkLine line);
std::optional<NetworkLine> parse_line_key(std::string_view key);

// The carrier whose お客様ID the line needs, or nothing when the line has none (IPsec+IKE).
std::optional<LineCarrier> required_carrier(NetworkLine line);

enum class LineCustomerIdError {
  required,        // the line needs an お客様ID and none was typed
  wrong_carrier,   // a CAF… ID for an NTT西日本 line or a COP… ID for an NTT東日本 line
  not_applicable,  // an ID was typed for a line that has none
};
std::string_view error_key(LineCustomerIdError error);  // "customer_id.required", ...

// The お客様ID as stored ("" for lines without one), or why it does not fit the line. Format
// errors of the ID itself come back as CustomerIdError keys through `format_error`.
struct LineCustomerIdCheck {
  std::optional<LineCustomerIdError> line_error;
  std::optional<CustomerIdError> format_error;
};
std::expected<std::string, LineCustomerIdCheck> customer_id_for_line(NetworkLine line,
                                                                     std::string_view typed);

}  // namespace onshi::domain
