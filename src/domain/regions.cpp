#include "domain/regions.hpp"

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>

#include "util/text.hpp"

namespace onshi::domain {

std::string_view error_key(MunicipalityError error) {
  switch (error) {
    case MunicipalityError::invalid_code:
      return "municipality.invalid_code";
    case MunicipalityError::unknown:
      return "municipality.unknown";
    case MunicipalityError::wrong_prefecture:
      return "municipality.wrong_prefecture";
  }
  return "municipality.invalid";
}

std::string_view kind_key(MunicipalityKind kind) {
  switch (kind) {
    case MunicipalityKind::city:
      return "city";
    case MunicipalityKind::town:
      return "town";
    case MunicipalityKind::village:
      return "village";
    case MunicipalityKind::special_ward:
      return "special_ward";
    case MunicipalityKind::designated_city:
      return "designated_city";
    case MunicipalityKind::ward:
      return "ward";
  }
  return "";
}

int municipality_check_digit(std::string_view five) {
  static constexpr int weights[] = {6, 5, 4, 3, 2};
  int sum = 0;
  for (std::size_t i = 0; i < 5; ++i) sum += (five[i] - '0') * weights[i];
  return (11 - sum % 11) % 10;  // r = 0 gives 11 -> 1, r = 1 gives 10 -> 0
}

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::ranges::all_of(s, [](char c) { return c >= '0' && c <= '9'; });
}

bool valid_municipality_code(std::string_view code) {
  return code.size() == 6 && all_digits(code) &&
         municipality_check_digit(code.substr(0, 5)) == code[5] - '0';
}

// The data files are plain CSV without quoting (no name contains a comma).
std::vector<std::string_view> split(std::string_view line) {
  std::vector<std::string_view> fields;
  while (true) {
    const auto comma = line.find(',');
    fields.push_back(line.substr(0, comma));
    if (comma == std::string_view::npos) break;
    line.remove_prefix(comma + 1);
  }
  return fields;
}

// Calls f(fields, line_number) for each non-empty line after the header; stops at the first error.
template <typename F>
std::expected<void, RegionDataError> for_each_row(std::string_view text, const char* file, F f) {
  int line_number = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line_number == 1 || line.empty()) continue;
    if (auto kind = f(split(line)))
      return std::unexpected(RegionDataError{*kind, file, line_number});
  }
  return {};
}

std::optional<MunicipalityKind> parse_kind(std::string_view s) {
  for (auto k : {MunicipalityKind::city, MunicipalityKind::town, MunicipalityKind::village,
                 MunicipalityKind::special_ward, MunicipalityKind::designated_city,
                 MunicipalityKind::ward}) {
    if (kind_key(k) == s) return k;
  }
  return std::nullopt;
}

int two_digits(std::string_view s) {
  return (s[0] - '0') * 10 + (s[1] - '0');
}

}  // namespace

std::expected<Regions, RegionDataError> Regions::parse(std::string_view prefectures_csv,
                                                       std::string_view municipalities_csv) {
  Regions r;
  r.prefectures_.resize(47);
  constexpr const char* pref_file = "prefectures.csv";
  constexpr const char* muni_file = "municipalities.csv";

  // code,name,kana,local_government_code
  auto prefs = for_each_row(
      prefectures_csv, pref_file, [&](const auto& f) -> std::optional<RegionDataErrorKind> {
        if (f.size() != 4 || f[0].size() != 2 || !all_digits(f[0]) || f[1].empty()) {
          return RegionDataErrorKind::malformed_line;
        }
        const int code = two_digits(f[0]);
        if (code < 1 || code > 47) return RegionDataErrorKind::unknown_prefecture;
        if (!valid_municipality_code(f[3]) || !f[3].starts_with(f[0])) {
          return RegionDataErrorKind::check_digit;
        }
        Prefecture& p = r.prefectures_[static_cast<std::size_t>(code - 1)];
        if (p.code != 0) return RegionDataErrorKind::duplicate_code;
        p = Prefecture{code, std::string(f[1]), std::string(f[2])};
        return std::nullopt;
      });
  if (!prefs) return std::unexpected(prefs.error());
  if (std::ranges::any_of(r.prefectures_, [](const Prefecture& p) { return p.code == 0; })) {
    return std::unexpected(RegionDataError{RegionDataErrorKind::incomplete, pref_file, 0});
  }

  // code,prefecture_code,name,kana,kind
  auto munis = for_each_row(
      municipalities_csv, muni_file, [&](const auto& f) -> std::optional<RegionDataErrorKind> {
        if (f.size() != 5 || f[1].size() != 2 || !all_digits(f[1]) || f[2].empty()) {
          return RegionDataErrorKind::malformed_line;
        }
        if (!valid_municipality_code(f[0])) return RegionDataErrorKind::check_digit;
        const int pref = two_digits(f[1]);
        if (pref < 1 || pref > 47 || !f[0].starts_with(f[1])) {
          return RegionDataErrorKind::unknown_prefecture;
        }
        const auto kind = parse_kind(f[4]);
        if (!kind) return RegionDataErrorKind::unknown_kind;
        if (r.by_code_.contains(std::string(f[0]))) return RegionDataErrorKind::duplicate_code;
        r.by_code_.emplace(std::string(f[0]), 0);
        r.municipalities_.push_back(
            {std::string(f[0]), pref, std::string(f[2]), std::string(f[3]), *kind});
        return std::nullopt;
      });
  if (!munis) return std::unexpected(munis.error());

  std::ranges::sort(r.municipalities_, {}, &Municipality::code);
  r.ranges_.assign(47, {0, 0});
  for (std::size_t i = 0; i < r.municipalities_.size(); ++i) {
    const Municipality& m = r.municipalities_[i];
    r.by_code_[m.code] = i;
    auto& range = r.ranges_[static_cast<std::size_t>(m.prefecture - 1)];
    if (range.first == range.second) range.first = i;
    range.second = i + 1;
  }
  if (std::ranges::any_of(r.ranges_,
                          [](const auto& range) { return range.first == range.second; })) {
    return std::unexpected(RegionDataError{RegionDataErrorKind::incomplete, muni_file, 0});
  }
  return r;
}

std::expected<Regions, RegionDataError> Regions::load(const std::filesystem::path& data_dir) {
  auto read = [](const std::filesystem::path& path) -> std::optional<std::string> {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return std::move(text).str();
  };
  const auto prefs = read(data_dir / "prefectures.csv");
  if (!prefs) {
    return std::unexpected(RegionDataError{RegionDataErrorKind::unreadable, "prefectures.csv", 0});
  }
  const auto munis = read(data_dir / "municipalities.csv");
  if (!munis) {
    return std::unexpected(
        RegionDataError{RegionDataErrorKind::unreadable, "municipalities.csv", 0});
  }
  return parse(*prefs, *munis);
}

const Prefecture* Regions::prefecture(int code) const {
  if (code < 1 || code > 47) return nullptr;
  return &prefectures_[static_cast<std::size_t>(code - 1)];
}

std::span<const Municipality> Regions::municipalities_in(int prefecture) const {
  if (prefecture < 1 || prefecture > 47) return {};
  const auto [first, last] = ranges_[static_cast<std::size_t>(prefecture - 1)];
  return std::span<const Municipality>(municipalities_).subspan(first, last - first);
}

const Municipality* Regions::municipality(std::string_view code) const {
  const auto it = by_code_.find(std::string(code));
  return it == by_code_.end() ? nullptr : &municipalities_[it->second];
}

std::expected<const Municipality*, MunicipalityError> Regions::validate(std::string_view typed,
                                                                        int prefecture) const {
  std::string code;
  for (char c : util::normalize_code_input(typed)) {
    if (c != ' ' && c != '-') code.push_back(c);
  }
  if (!valid_municipality_code(code)) return std::unexpected(MunicipalityError::invalid_code);
  const Municipality* m = municipality(code);
  if (m == nullptr) return std::unexpected(MunicipalityError::unknown);
  if (m->prefecture != prefecture) return std::unexpected(MunicipalityError::wrong_prefecture);
  return m;
}

}  // namespace onshi::domain
