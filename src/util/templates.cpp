#include "util/templates.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace onshi::util {

namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("template not found: {}", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// `{{> partials/x.html}}` replaced by that file, itself expanded, once when a template is first
// read: the pages that share fields (the certificate form and the renewal form) share one copy of
// their markup, and rendering stays one pass over one string. The files are the project's own;
// the depth bound only stops a partial that includes itself.
std::string expand_partials(const std::filesystem::path& dir, std::string text, int depth) {
  constexpr std::string_view kOpen = "{{>";
  std::string out;
  std::size_t from = 0;
  for (auto at = text.find(kOpen); at != std::string::npos; at = text.find(kOpen, from)) {
    const auto close = text.find("}}", at);
    if (close == std::string::npos) break;
    if (depth >= 4) throw std::runtime_error("template partials nested too deep");
    auto name = text.substr(at + kOpen.size(), close - at - kOpen.size());
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    out.append(text, from, at - from);
    out += expand_partials(dir, read_file(dir / name), depth + 1);
    from = close + 2;
  }
  out.append(text, from);
  return out;
}

}  // namespace

const std::string& Templates::source(const std::string& name) const {
  std::lock_guard lock(mutex_);
  if (auto it = cache_.find(name); it != cache_.end()) return it->second;
  return cache_.emplace(name, expand_partials(dir_, read_file(dir_ / name), 0)).first->second;
}

std::string Templates::render(const std::string& name, const TemplateData& data) const {
  return render(name, data, /*html=*/true);
}

std::string Templates::render_text(const std::string& name, const TemplateData& data) const {
  return render(name, data, /*html=*/false);
}

std::string Templates::render(const std::string& name, const TemplateData& data, bool html) const {
  kainjow::mustache::mustache tmpl(source(name));
  if (!html) tmpl.set_custom_escape([](const std::string& s) { return s; });
  if (!tmpl.is_valid())
    throw std::runtime_error(fmt::format("template {}: {}", name, tmpl.error_message()));
  std::string out = tmpl.render(data);
  if (!tmpl.is_valid())
    throw std::runtime_error(fmt::format("template {}: {}", name, tmpl.error_message()));
  return out;
}

}  // namespace onshi::util
