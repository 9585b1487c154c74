#pragma once
// The 所在地 field holds what follows the municipality, but staff type the whole address by habit
// (東京都中央区銀座1-2-3 with 東京都 and 中央区 chosen), and the letter then read
// 東京都中央区東京都中央区銀座1-2-3. This drops such a repeated prefix.
#include <span>
#include <string>
#include <string_view>

namespace onshi::domain {

// `line` is the 所在地 after parse_address_line (NFKC, trimmed); `prefecture` and `municipality`
// are the chosen names as the reference data spell them (東京都, 中央区, 札幌市中央区). Drops, in
// order and each at most once: the prefecture's name; a 郡 (桑名郡 before 木曽岬町, which the
// data names without it); the municipality's name, or for a ward of a designated city its ward
// alone (中央区 for 札幌市中央区); and the spaces after each. ヶ/ケ and ヵ/カ count as the same
// letter (鎌ヶ谷市 and 鎌ケ谷市 are both written). Returns what is left, possibly empty; a text
// that does not start with one of them comes back unchanged.
// `towns` are the municipality's 町域 (Postcodes::towns_of): some begin with the place's own name
// (養父市 養父市場, 中之条町 中之条町, 山口市 山口県流通センター), and a line that starts with one
// of them is no repeat, so nothing of it is dropped from there on.
std::string address_after_municipality(std::string_view line, std::string_view prefecture,
                                       std::string_view municipality,
                                       std::span<const std::string_view> towns = {});

}  // namespace onshi::domain
