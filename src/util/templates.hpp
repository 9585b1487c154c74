#pragma once
// Mustache templates from files under templates/ (HTML-escaped by default), read once and cached.
#include <cstdint>
#include <filesystem>
#include <kainjow/mustache.hpp>
#include <map>
#include <mutex>
#include <string>

namespace onshi::util {

using TemplateData = kainjow::mustache::data;

// kainjow's set and push_back copy what they are given, a whole tree of maps for a list of rows:
// these move it in instead. The objects are never const, so casting away what get() and
// list_value() add is defined.
inline void set_moved(TemplateData& object, const std::string& name, TemplateData&& value) {
  object.set(name, TemplateData(false));
  if (const TemplateData* slot = object.get(name))
    *const_cast<TemplateData*>(slot) = std::move(value);
}
inline void push_back_moved(TemplateData& list, TemplateData&& value) {
  if (!list.is_list()) return;
  list.push_back(TemplateData(false));
  const_cast<kainjow::mustache::basic_list<std::string>&>(list.list_value()).back() =
      std::move(value);
}

class Templates {
 public:
  explicit Templates(std::filesystem::path dir);

  // Renders templates/NAME with `data`, values HTML-escaped (pages).
  // Throws std::runtime_error when the file is missing or the template is malformed.
  std::string render(const std::string& name, const TemplateData& data) const;
  // The same without escaping, for plain text (mail): "A&B" stays "A&B", not "A&amp;B". What
  // reaches a header is checked for line breaks where the message is composed (mail/mime.cpp).
  std::string render_text(const std::string& name, const TemplateData& data) const;

 private:
  const std::string& source(const std::string& name) const;
  std::string render(const std::string& name, const TemplateData& data, bool html) const;

  std::filesystem::path dir_;
  std::uint64_t id_;
  mutable std::mutex mutex_;
  mutable std::map<std::string, std::string> cache_;
};

}  // namespace onshi::util
