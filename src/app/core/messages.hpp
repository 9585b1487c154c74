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
  // Throws std::runtime_error when the file is missing or malformed.
  static Messages load(const std::filesystem::path& file);

  // The text for `key`; a missing key is a bug, so it throws std::out_of_range naming the key.
  const std::string& get(std::string_view key) const;
  // The text for `key` with its {} placeholders filled from `args`, in order.
  std::string format(std::string_view key, const std::vector<std::string>& args) const;
  bool has(std::string_view key) const { return text_.contains(std::string(key)); }

 private:
  std::map<std::string, std::string, std::less<>> text_;
};

}  // namespace onshi::app
