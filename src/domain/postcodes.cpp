#include "domain/postcodes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>

#include "util/text.hpp"

namespace onshi::domain {
namespace {

std::optional<std::uint32_t> digits_value(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::uint32_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint32_t>(c - '0');
  }
  return v;
}

std::string six_digits(std::uint32_t code) {
  return fmt::format("{:06d}", code);
}

}  // namespace

std::string_view describe(PostcodeDataErrorKind kind) {
  switch (kind) {
    case PostcodeDataErrorKind::unreadable:
      return "cannot be read";
    case PostcodeDataErrorKind::malformed_line:
      return "malformed line";
    case PostcodeDataErrorKind::bad_postcode:
      return "not a 7-digit (or 5-digit prefix) postcode";
    case PostcodeDataErrorKind::check_digit:
      return "municipality code with a wrong check digit";
    case PostcodeDataErrorKind::unknown_municipality:
      return "municipality code not in municipalities.csv";
    case PostcodeDataErrorKind::unsorted:
      return "rows out of postcode order";
    case PostcodeDataErrorKind::empty:
      return "no rows";
  }
  return "invalid";
}

std::expected<Postcodes, PostcodeDataError> Postcodes::parse(std::string_view csv,
                                                             const Regions& regions) {
  Postcodes p;
  int line_number = 0;
  std::uint32_t last7 = 0;
  std::uint32_t last5 = 0;
  while (!csv.empty()) {
    const auto end = csv.find('\n');
    std::string_view line = csv.substr(0, end);
    csv.remove_prefix(end == std::string_view::npos ? csv.size() : end + 1);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    // The header says which column is which; a file without it would lose its first row unseen.
    if (line_number == 1) {
      if (line != "postcode,code,town") {
        return std::unexpected(PostcodeDataError{PostcodeDataErrorKind::malformed_line, 1});
      }
      continue;
    }
    if (line.empty()) continue;
    const auto fail = [&](PostcodeDataErrorKind kind) {
      return std::unexpected(PostcodeDataError{kind, line_number});
    };
    // postcode,code,town: no quoting, a 町域 never holds a comma (the converter checks).
    const auto c1 = line.find(',');
    const auto c2 = c1 == std::string_view::npos ? c1 : line.find(',', c1 + 1);
    if (c2 == std::string_view::npos || line.find(',', c2 + 1) != std::string_view::npos) {
      return fail(PostcodeDataErrorKind::malformed_line);
    }
    const auto postcode = line.substr(0, c1);
    const auto code = line.substr(c1 + 1, c2 - c1 - 1);
    const auto town = line.substr(c2 + 1);
    if (!util::is_valid_utf8(town) || util::has_control_chars(town)) {
      return fail(PostcodeDataErrorKind::malformed_line);
    }
    const auto number = digits_value(postcode);
    if (!number || (postcode.size() != 7 && postcode.size() != 5)) {
      return fail(PostcodeDataErrorKind::bad_postcode);
    }
    const auto municipality = digits_value(code);
    if (!municipality || code.size() != 6 ||
        municipality_check_digit(code.substr(0, 5)) != code[5] - '0') {
      return fail(PostcodeDataErrorKind::check_digit);
    }
    if (regions.municipality(code) == nullptr) {
      return fail(PostcodeDataErrorKind::unknown_municipality);
    }
    auto& last = postcode.size() == 7 ? last7 : last5;
    if (*number < last) return fail(PostcodeDataErrorKind::unsorted);
    last = *number;
    const Row row{*number, *municipality, static_cast<std::uint32_t>(p.towns_.size()),
                  static_cast<std::uint32_t>(town.size())};
    p.towns_.append(town);
    (postcode.size() == 7 ? p.rows_ : p.prefixes_).push_back(row);
  }
  if (p.rows_.empty()) return std::unexpected(PostcodeDataError{PostcodeDataErrorKind::empty, 0});
  p.rows_.shrink_to_fit();
  p.prefixes_.shrink_to_fit();
  p.by_municipality_ = p.rows_;
  p.by_municipality_.insert(p.by_municipality_.end(), p.prefixes_.begin(), p.prefixes_.end());
  std::ranges::sort(p.by_municipality_, {}, &Row::municipality);
  p.towns_.shrink_to_fit();
  return p;
}

std::expected<Postcodes, PostcodeDataError> Postcodes::load(const std::filesystem::path& data_dir,
                                                            const Regions& regions) {
  std::ifstream in(data_dir / "postcodes.csv", std::ios::binary);
  if (!in) return std::unexpected(PostcodeDataError{PostcodeDataErrorKind::unreadable, 0});
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), regions);
}

std::vector<PostcodeArea> Postcodes::lookup(std::string_view digits) const {
  std::vector<PostcodeArea> out;
  const auto number = digits_value(digits);
  if (!number || digits.size() != 7) return out;
  const auto add = [&](const std::vector<Row>& rows, std::uint32_t key) {
    const auto [first, last] = std::ranges::equal_range(rows, key, {}, &Row::postcode);
    for (auto it = first; it != last; ++it) {
      out.push_back({six_digits(it->municipality),
                     std::string_view(towns_).substr(it->town_offset, it->town_length)});
    }
  };
  add(prefixes_, *number / 100);
  add(rows_, *number);
  return out;
}

std::vector<std::string_view> Postcodes::towns_of(std::string_view municipality_code) const {
  std::vector<std::string_view> out;
  const auto number = digits_value(municipality_code);
  if (!number || municipality_code.size() != 6) return out;
  const auto [first, last] =
      std::ranges::equal_range(by_municipality_, *number, {}, &Row::municipality);
  for (auto it = first; it != last; ++it) {
    const auto town = std::string_view(towns_).substr(it->town_offset, it->town_length);
    if (!town.empty() && std::ranges::find(out, town) == out.end()) out.push_back(town);
  }
  return out;
}

std::vector<std::string> Postcodes::municipalities_of(std::string_view digits) const {
  std::vector<std::string> out;
  for (const auto& area : lookup(digits)) {
    if (std::ranges::find(out, area.municipality_code) == out.end()) {
      out.push_back(area.municipality_code);
    }
  }
  return out;
}

}  // namespace onshi::domain
