#pragma once
#include <string>

namespace onshi::cli {

// Options every subcommand accepts (before or after the subcommand's name).
struct GlobalOptions {
  std::string data_dir = "var";
  std::string config_file;   // empty: DATA/onshi.toml if present
  std::string database_url;  // empty: database.url, ONSHI_DATABASE_URL, or DATA/onshi.db
};

}  // namespace onshi::cli
