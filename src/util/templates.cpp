#include "util/templates.hpp"

#include <fmt/format.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <sstream>
#include <tuple>

namespace onshi::util {

namespace {

std::atomic<std::uint64_t> next_templates_id{1};

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

Templates::Templates(std::filesystem::path dir)
    : dir_(std::move(dir)), id_(next_templates_id.fetch_add(1)) {}

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
  // Parsing a page's template took as long as rendering it. A parsed template is not safe to
  // render from two threads at once (it keeps its error state), so each thread keeps its own,
  // keyed by this instance's id rather than its address, which a later instance may reuse.
  using Parsed = kainjow::mustache::mustache;
  thread_local std::map<std::tuple<std::uint64_t, std::string, bool>, std::unique_ptr<Parsed>>
      parsed;
  auto& tmpl = parsed[{id_, name, html}];
  if (!tmpl) {
    auto fresh = std::make_unique<Parsed>(source(name));
    if (!fresh->is_valid())
      throw std::runtime_error(fmt::format("template {}: {}", name, fresh->error_message()));
    if (!html) fresh->set_custom_escape([](const std::string& s) { return s; });
    tmpl = std::move(fresh);
  }
  std::string out = tmpl->render(data);
  if (!tmpl->is_valid()) {
    const std::string error = tmpl->error_message();
    tmpl.reset();  // a render error stays in the parsed template: parse it again next time
    throw std::runtime_error(fmt::format("template {}: {}", name, error));
  }
  return out;
}

}  // namespace onshi::util
