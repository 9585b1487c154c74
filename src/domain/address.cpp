#include "domain/address.hpp"

#include <algorithm>
#include <vector>

namespace onshi::domain {
namespace {

constexpr std::string_view kSmallKe = "\u30F6";  // ヶ
constexpr std::string_view kKe = "\u30B1";       // ケ
constexpr std::string_view kSmallKa = "\u30F5";  // ヵ
constexpr std::string_view kKa = "\u30AB";       // カ
constexpr std::string_view kGun = "\u90E1";      // 郡
// A 郡's name is short (愛甲郡, 西多摩郡, 北海道's 河東郡); longer text before 郡 is no 郡.
constexpr std::size_t kMaxGunBytes = 6 * 3;

// The small and the full-size ケ/カ are both in use in place names; each is 3 bytes in UTF-8, so
// folding keeps every byte offset.
std::string fold(std::string_view s) {
  std::string out(s);
  for (const auto& [from, to] : {std::pair{kSmallKe, kKe}, std::pair{kSmallKa, kKa}}) {
    for (auto at = out.find(from); at != std::string::npos; at = out.find(from, at + to.size())) {
      out.replace(at, from.size(), to);
    }
  }
  return out;
}

void skip_spaces(std::string_view& s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
}

// Removes `name` (folded) from the front of `rest`, and the spaces after it.
bool drop(std::string_view& rest, std::string_view name) {
  if (name.empty() || !rest.starts_with(name)) return false;
  rest.remove_prefix(name.size());
  skip_spaces(rest);
  return true;
}

}  // namespace

std::string address_after_municipality(std::string_view line, std::string_view prefecture,
                                       std::string_view municipality,
                                       std::span<const std::string_view> towns) {
  const std::string folded_line = fold(line);
  const std::string pref = fold(prefecture);
  const std::string muni = fold(municipality);
  std::vector<std::string> folded_towns;
  for (const auto town : towns) folded_towns.push_back(fold(town));
  // `rest` starts with a 町域 whose name begins with `name` (養父市場 for 養父市): then `name` is
  // part of the town, no repeat. A town shorter than the name (千代田 in 千代田区) never counts.
  const auto town_begins = [&](std::string_view rest, std::string_view name) {
    return std::ranges::any_of(folded_towns, [&](const std::string& t) {
      return t.size() > name.size() && t.starts_with(name) && rest.starts_with(t);
    });
  };
  std::string_view rest = folded_line;
  skip_spaces(rest);
  // Offsets are the same in the folded text, so the original spelling is what is kept.
  const auto kept = [&] { return std::string(line.substr(line.size() - rest.size())); };
  if (town_begins(rest, pref)) return kept();
  drop(rest, pref);
  // 郡 + the municipality, as a whole only: 郡 alone says nothing about what follows.
  if (const auto gun = rest.find(kGun);
      gun != std::string_view::npos && gun > 0 && gun <= kMaxGunBytes) {
    std::string_view after = rest.substr(gun + kGun.size());
    skip_spaces(after);
    if (!town_begins(after, muni) && drop(after, muni)) rest = after;
  }
  if (town_begins(rest, muni)) return kept();
  if (!drop(rest, muni)) {
    // A designated city's ward is named with its city (札幌市中央区); the ward alone is typed too.
    constexpr std::string_view kCity = "\u5E02";  // 市
    if (const auto city = muni.find(kCity); city != std::string::npos) {
      const std::string_view ward = std::string_view(muni).substr(city + kCity.size());
      if (ward.ends_with("\u533A") && !town_begins(rest, ward)) drop(rest, ward);  // 区
    }
  }
  return kept();
}

}  // namespace onshi::domain
