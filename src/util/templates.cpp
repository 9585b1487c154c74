#include "util/templates.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace onshi::util {

const std::string& Templates::source(const std::string& name) const {
  std::lock_guard lock(mutex_);
  if (auto it = cache_.find(name); it != cache_.end()) return it->second;
  std::ifstream in(dir_ / name, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("template not found: {}", (dir_ / name).string()));
  std::ostringstream text;
  text << in.rdbuf();
  return cache_.emplace(name, text.str()).first->second;
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
