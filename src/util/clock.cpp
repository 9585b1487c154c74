#include "util/clock.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace onshi::util {

std::string format_jst(TimePoint t) {
  const auto jst = std::chrono::floor<std::chrono::minutes>(t + std::chrono::hours{9});
  return fmt::format("{:%Y-%m-%d %H:%M}", jst);
}

}  // namespace onshi::util
