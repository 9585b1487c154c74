#pragma once
// お客様ID of the network line, as the usage application asks for it. NTT東日本 (フレッツ光 and
// 光コラボ on its lines) prints "CAF" + 10 digits (13 characters); NTT西日本 prints "COP" + 8
// digits (11 characters). docs/domain.md says where these formats come from.
#include <expected>
#include <string>
#include <string_view>

namespace onshi::domain {

enum class LineCarrier {
  ntt_east,  // CAF + 10 digits
  ntt_west,  // COP + 8 digits
};

enum class CustomerIdError {
  empty,
  invalid_characters,  // something other than letters, digits, spaces and hyphens
  unknown_prefix,      // does not start with CAF or COP
  wrong_length,        // CAF + not 10 digits, or COP + not 8 digits
};

std::string_view error_key(CustomerIdError error);  // "customer_id.unknown_prefix", ...

class CustomerId {
 public:
  // NFKC first (ＣＡＦ１２３… and ｃａｆ are accepted), letters upper-cased, spaces and hyphens
  // (including ー) dropped.
  static std::expected<CustomerId, CustomerIdError> parse(std::string_view typed);

  const std::string& value() const { return value_; }  // "CAF1234567890"
  LineCarrier carrier() const {
    return value_.starts_with("CAF") ? LineCarrier::ntt_east : LineCarrier::ntt_west;
  }
  friend bool operator==(const CustomerId&, const CustomerId&) = default;

 private:
  explicit CustomerId(std::string value) : value_(std::move(value)) {}
  std::string value_;
};

}  // namespace onshi::domain
