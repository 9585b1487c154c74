#pragma once
// What several subcommands read from their arguments: a listen address and a file named by a flag.
// Both throw std::runtime_error with a message naming the flag, which main prints.
#include <cstdint>
#include <string>
#include <utility>

namespace onshi::cli {

// "HOST:PORT" (the last colon splits, so "[::1]:8443" keeps its brackets) with a port 1 to 65535.
std::pair<std::string, std::uint16_t> split_host_port(const std::string& text, const char* flag);

// The whole file at `path`, which `flag` named.
std::string read_file(const std::string& flag, const std::string& path);

}  // namespace onshi::cli
