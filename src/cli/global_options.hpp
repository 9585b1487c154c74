#pragma once
#include <string>

namespace onshi::cli {

// Options every subcommand accepts (before or after the subcommand's name).
struct GlobalOptions {
  std::string data_dir = "var";
  std::string config_file;  // empty: DATA/onshi.toml if present
};

}  // namespace onshi::cli
