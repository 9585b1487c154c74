#pragma once
// The 47 prefectures (JIS X 0401) and their municipalities (全国地方公共団体コード, 6 digits with a
// check digit, including the wards of designated cities), read from data/prefectures.csv and
// data/municipalities.csv (sources and dates in data/README.md). Load once at startup and share.
#include <expected>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace onshi::domain {

struct Prefecture {
  int code = 0;      // 1-47
  std::string name;  // 東京都
  std::string kana;  // トウキョウト
};

enum class MunicipalityKind {
  city,             // 市
  town,             // 町
  village,          // 村
  special_ward,     // 特別区 (東京23区)
  designated_city,  // 政令指定都市 itself (its wards follow it in the list)
  ward,             // 行政区 of a designated city, e.g. 札幌市中央区
};

struct Municipality {
  std::string code;  // 6 digits, e.g. "131024"
  int prefecture = 0;
  std::string name;  // 中央区, 札幌市中央区
  std::string kana;
  MunicipalityKind kind = MunicipalityKind::city;
};

// Why a data file was refused; the loader reports the file and line, for the operator's log.
enum class RegionDataErrorKind {
  unreadable,          // the file could not be read
  malformed_line,      // wrong number of fields, bad number
  check_digit,         // a municipality code whose 6th digit does not match
  unknown_prefecture,  // a municipality of a prefecture not in prefectures.csv
  duplicate_code,
  unknown_kind,
  incomplete,  // not exactly 47 prefectures, or a prefecture without municipalities
};

struct RegionDataError {
  RegionDataErrorKind kind;
  std::string file;
  int line = 0;  // 1-based, 0 when not about one line
};

// What the 市区町村 field of a form can be told.
enum class MunicipalityError {
  invalid_code,      // not 6 digits (after NFKC), or a wrong check digit
  unknown,           // well-formed but not in the list
  wrong_prefecture,  // exists, but in another prefecture than the one chosen
};

std::string_view error_key(MunicipalityError error);  // "municipality.wrong_prefecture", ...
std::string_view kind_key(MunicipalityKind kind);     // "city", "ward", ...

// Check digit of a 全国地方公共団体コード: weights 6,5,4,3,2 over the first five digits, r = sum
// mod 11, check = last digit of (11 - r). `five` must be 5 ASCII digits.
int municipality_check_digit(std::string_view five);

class Regions {
 public:
  // Parses the two CSV texts (UTF-8, header line first).
  static std::expected<Regions, RegionDataError> parse(std::string_view prefectures_csv,
                                                       std::string_view municipalities_csv);
  // Reads DATA_DIR/prefectures.csv and DATA_DIR/municipalities.csv, then parse().
  static std::expected<Regions, RegionDataError> load(const std::filesystem::path& data_dir);

  const std::vector<Prefecture>& prefectures() const { return prefectures_; }
  const Prefecture* prefecture(int code) const;
  // The form's 市区町村 choices for a prefecture, in code order (empty for an unknown one).
  std::span<const Municipality> municipalities_in(int prefecture) const;
  const Municipality* municipality(std::string_view code) const;
  std::size_t municipality_count() const { return municipalities_.size(); }

  // The municipality `typed` names, if it is a valid code in `prefecture`.
  std::expected<const Municipality*, MunicipalityError> validate(std::string_view typed,
                                                                 int prefecture) const;

 private:
  std::vector<Prefecture> prefectures_;       // index code - 1
  std::vector<Municipality> municipalities_;  // sorted by code, so grouped by prefecture
  std::vector<std::pair<std::size_t, std::size_t>> ranges_;  // per prefecture: [first, last)
  std::unordered_map<std::string, std::size_t> by_code_;
};

}  // namespace onshi::domain
