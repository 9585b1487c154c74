// libFuzzer target: onshi.toml (app/core/config.cpp, toml++). An operator writes it by hand, so
// a mistake must stop startup with std::runtime_error naming the file and key, never with another
// exception or a crash. The input goes to a file because that is the only way in.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "app/core/config.hpp"
#include "fuzz_check.hpp"

using onshi::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto dir = [] {
    auto d =
        std::filesystem::temp_directory_path() / ("onshi-config-fuzz-" + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  const auto file = dir / "onshi.toml";
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    const auto config = onshi::app::load_config(dir, file);
    require(config.data_dir == dir);
  } catch (const std::runtime_error& e) {
    require(std::string(e.what()).size() > 0);
  }
  return 0;
}
