#pragma once
// What the fuzz targets share: a failed property traps, which libFuzzer reports as a crash with
// its input and the replay (replay_main.cpp) as the death of the process.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace onshi::fuzz {

inline void require(bool ok) {
  if (!ok) __builtin_trap();
}

inline std::string_view bytes(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace onshi::fuzz
