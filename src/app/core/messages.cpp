#include "app/core/messages.hpp"

#include <fmt/args.h>
#include <fmt/format.h>

#include <toml++/toml.h>

#include "app/core/config.hpp"

namespace onshi::app {
namespace {

void flatten(const toml::table& table, const std::string& prefix,
             std::map<std::string, std::string, std::less<>>& out) {
  for (const auto& [k, node] : table) {
    const std::string key =
        prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const auto* sub = node.as_table()) {
      flatten(*sub, key, out);
    } else if (auto s = node.value<std::string>()) {
      out.emplace(key, *s);
    } else {
      throw std::runtime_error(fmt::format("message {}: not a string", key));
    }
  }
}

}  // namespace

Messages Messages::load(const std::filesystem::path& file) {
  return load(file, Config::Contact{}.name);
}

Messages Messages::load(const std::filesystem::path& file, std::string_view desk) {
  Messages m;
  try {
    flatten(toml::parse_file(file.string()), "", m.text_);
  } catch (const toml::parse_error& e) {
    throw std::runtime_error(
        fmt::format("{}:{}: {}", file.string(), e.source().begin.line, e.description()));
  }
  constexpr std::string_view kDesk = "{desk}";
  for (auto& [key, text] : m.text_) {
    for (auto at = text.find(kDesk); at != std::string::npos;
         at = text.find(kDesk, at + desk.size()))
      text.replace(at, kDesk.size(), desk);
  }
  return m;
}

const std::string& Messages::get(std::string_view key) const {
  auto it = text_.find(key);
  if (it == text_.end()) throw std::out_of_range(fmt::format("no message for key '{}'", key));
  return it->second;
}

std::string Messages::format(std::string_view key, const std::vector<std::string>& args) const {
  const std::string& text = get(key);
  if (args.empty()) return text;
  fmt::dynamic_format_arg_store<fmt::format_context> store;
  for (const auto& a : args) store.push_back(a);
  return fmt::vformat(text, store);
}

std::string period_in_months(const Messages& m, int months) {
  const int years = months / 12;
  const int rest = months % 12;
  if (years == 0) return fmt::format(fmt::runtime(m.get("duration.months")), rest);
  if (rest == 0) return fmt::format(fmt::runtime(m.get("duration.years")), years);
  return fmt::format(fmt::runtime(m.get("duration.years_months")), years, rest);
}

}  // namespace onshi::app
