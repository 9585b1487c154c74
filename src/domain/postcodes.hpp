#pragma once
// 日本郵便「郵便番号データ」 (KEN_ALL) as data/postcodes.csv: which municipality and 町域 each
// 郵便番号 belongs to (source, date and conversion in data/README.md). Loaded once at startup
// after the regions, whose municipality codes every row must use.
#include <cstdint>
#include <expected>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "domain/regions.hpp"

namespace onshi::domain {

enum class PostcodeDataErrorKind {
  unreadable,
  malformed_line,        // not 3 fields, a 町域 with control characters or bad UTF-8
  bad_postcode,          // not 7 digits (or 5 for a prefix row)
  check_digit,           // a municipality code that is not 6 digits with its check digit
  unknown_municipality,  // a code data/municipalities.csv does not list
  unsorted,              // rows must come in postcode order (the lookup searches them)
  empty,
};

struct PostcodeDataError {
  PostcodeDataErrorKind kind;
  int line = 0;  // 1-based, 0 when not about one line
};

// For the operator's log: "rows out of order", ...
std::string_view describe(PostcodeDataErrorKind kind);

struct PostcodeArea {
  std::string municipality_code;  // "131024"
  std::string_view town;          // "銀座"; empty when KEN_ALL names none (the whole area)
};

class Postcodes {
 public:
  // `csv`: header "postcode,code,town", then rows sorted by postcode. A 5-digit postcode stands
  // for every postcode that starts with it (the floors of one tall building share a prefix).
  static std::expected<Postcodes, PostcodeDataError> parse(std::string_view csv,
                                                           const Regions& regions);
  // Reads DATA_DIR/postcodes.csv, then parse().
  static std::expected<Postcodes, PostcodeDataError> load(const std::filesystem::path& data_dir,
                                                          const Regions& regions);

  // The areas of a 7-digit postcode ("1040061"), in file order; empty when it is not known.
  std::vector<PostcodeArea> lookup(std::string_view digits) const;
  // The municipalities of a postcode, each once, in file order.
  std::vector<std::string> municipalities_of(std::string_view digits) const;
  // Every 町域 named in a municipality ("131024"), each once, in no particular order.
  std::vector<std::string_view> towns_of(std::string_view municipality_code) const;
  std::size_t size() const { return rows_.size(); }

 private:
  struct Row {
    std::uint32_t postcode;      // 7 digits, or 5 for a prefix row
    std::uint32_t municipality;  // the 6-digit code as a number
    std::uint32_t town_offset;   // into towns_
    std::uint32_t town_length;
  };
  std::vector<Row> rows_;             // 7-digit rows, sorted by postcode
  std::vector<Row> prefixes_;         // 5-digit rows, sorted
  std::vector<Row> by_municipality_;  // every row, sorted by municipality
  std::string towns_;                 // every 町域 name, back to back
};

}  // namespace onshi::domain
