#pragma once
// The one catalogue of Japanese user-facing text (data/messages.ja.toml). Code refers to
// messages by key; templates hold the page text.
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace onshi::app {

class Messages {
 public:
  // Throws std::runtime_error when the file is missing or malformed. Every "{desk}" in the
  // catalogue becomes `desk` (config contact.name), so that messages name the one contact desk
  // as the pages do; load(file) uses the default desk name.
  static Messages load(const std::filesystem::path& file);
  static Messages load(const std::filesystem::path& file, std::string_view desk);

  // The text for `key`; a missing key is a bug, so it throws std::out_of_range naming the key.
  const std::string& get(std::string_view key) const;
  // The text for `key` with its {} placeholders filled from `args`, in order.
  std::string format(std::string_view key, const std::vector<std::string>& args) const;
  bool has(std::string_view key) const { return text_.contains(std::string(key)); }

 private:
  std::map<std::string, std::string, std::less<>> text_;
};

// A period of whole months as people write it (duration.*): 39 -> 3年3か月, 36 -> 3年, 5 -> 5か月.
std::string period_in_months(const Messages& m, int months);

}  // namespace onshi::app
