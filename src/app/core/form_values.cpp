#include "app/core/form_values.hpp"

#include <fmt/format.h>

#include <charconv>

#include "util/secrets.hpp"
#include "util/text.hpp"

namespace onshi::app {
namespace {

constexpr std::size_t kMaxTextCodePoints = 100;

}  // namespace

std::chrono::year_month_day today_in_japan(const Services& s) {
  return date_in_japan(s.now_ms());
}

std::chrono::year_month_day date_in_japan(std::int64_t unix_ms) {
  const std::chrono::sys_time<std::chrono::milliseconds> t{std::chrono::milliseconds{unix_ms}};
  return std::chrono::year_month_day{
      std::chrono::floor<std::chrono::days>(t + std::chrono::hours{9})};
}

std::expected<std::string, std::string> plain_text(std::string_view typed, std::string_view field) {
  const auto n = util::nfkc(typed);
  if (!n.valid_utf8) return std::unexpected(fmt::format("{}.invalid", field));
  std::string text(util::trim(n.text));
  if (text.empty()) return std::unexpected(fmt::format("{}.empty", field));
  if (util::code_points(text) > kMaxTextCodePoints)
    return std::unexpected(fmt::format("{}.too_long", field));
  if (util::has_control_chars(text)) return std::unexpected(fmt::format("{}.invalid", field));
  return text;
}

std::expected<int, std::string> count_in_range(std::string_view typed, std::string_view field,
                                               int min, int max) {
  const std::string t = util::normalize_code_input(typed);
  if (t.empty()) return std::unexpected(fmt::format("{}.empty", field));
  int n = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
  if (ec != std::errc{} || p != t.data() + t.size())
    return std::unexpected(fmt::format("{}.not_a_number", field));
  if (n < min || n > max) return std::unexpected(fmt::format("{}.out_of_range", field));
  return n;
}

std::string idempotency_key_of(std::string_view posted) {
  const auto key = util::trim(posted);
  return key.empty() ? util::random_token() : std::string(key).substr(0, 64);
}

}  // namespace onshi::app
