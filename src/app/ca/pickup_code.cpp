// Pickup codes (declared in issuance.hpp, which makes them): what a clinic types on the pickup page
// or a vendor's tool sends, read off the notice letter.
#include <fmt/format.h>

#include <string>
#include <string_view>

#include "app/ca/issuance.hpp"
#include "util/secrets.hpp"
#include "util/text.hpp"

namespace onshi::app {
namespace {

// 32 symbols without 0/O and 1/I, so a code read off paper is typed right; 16 of them carry 80
// bits (CPIPCS 4.4.1).
constexpr std::string_view kCodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
constexpr std::size_t kCodeLength = 16;

}  // namespace

std::string new_pickup_code() {
  // Each random byte's low five bits pick one of the 32 symbols without bias.
  static_assert(kCodeAlphabet.size() == 32);
  std::string code;
  for (unsigned char b : util::random_bytes(kCodeLength)) code.push_back(kCodeAlphabet[b & 0x1f]);
  return fmt::format("{}-{}-{}-{}", code.substr(0, 4), code.substr(4, 4), code.substr(8, 4),
                     code.substr(12, 4));
}

std::string normalize_pickup_code(std::string_view typed) {
  std::string out;
  for (char c : util::normalize_code_input(typed)) {
    if (c == '-' || c == ' ') continue;
    const char upper = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    if (kCodeAlphabet.find(upper) == std::string_view::npos) return {};
    out.push_back(upper);
  }
  return out.size() == kCodeLength ? out : std::string{};
}
}  // namespace onshi::app
