#include "cli/arguments.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace onshi::cli {

std::pair<std::string, std::uint16_t> split_host_port(const std::string& text, const char* flag) {
  const auto colon = text.rfind(':');
  int port = 0;
  if (colon != std::string::npos) {
    try {
      port = std::stoi(text.substr(colon + 1));
    } catch (const std::exception&) {
      port = 0;
    }
  }
  if (colon == std::string::npos || colon == 0 || port <= 0 || port > 65535)
    throw std::runtime_error(fmt::format("{} wants HOST:PORT, got '{}'", flag, text));
  return {text.substr(0, colon), static_cast<std::uint16_t>(port)};
}

std::string read_file(const std::string& flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (!(in && text << in.rdbuf()))
    throw std::runtime_error(
        fmt::format("{} {}: cannot read it ({})", flag, path, std::strerror(errno)));
  return text.str();
}

}  // namespace onshi::cli
