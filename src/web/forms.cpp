#include "web/forms.hpp"

#include "util/text.hpp"

namespace onshi::web {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = hex_value(s[i + 1]);
      const int lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string url_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::expected<Form, FormError> Form::parse(std::string_view encoded) {
  Form form;
  std::size_t count = 0;
  while (!encoded.empty()) {
    const auto amp = encoded.find('&');
    const auto pair = encoded.substr(0, amp);
    encoded = amp == std::string_view::npos ? std::string_view{} : encoded.substr(amp + 1);
    if (pair.empty()) continue;
    if (++count > kMaxFormFields) return std::unexpected(FormError::too_many_fields);
    const auto eq = pair.find('=');
    auto name = url_decode(pair.substr(0, eq));
    auto value =
        url_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
    if (!name || !value) return std::unexpected(FormError::malformed_escape);
    if (!util::is_valid_utf8(*name) || !util::is_valid_utf8(*value))
      return std::unexpected(FormError::invalid_utf8);
    form.fields_[std::move(*name)].push_back(std::move(*value));
  }
  return form;
}

const std::string& Form::get(const std::string& name) const {
  static const std::string empty;
  auto it = fields_.find(name);
  return it == fields_.end() ? empty : it->second.front();
}

const std::vector<std::string>& Form::all(const std::string& name) const {
  static const std::vector<std::string> none;
  auto it = fields_.find(name);
  return it == fields_.end() ? none : it->second;
}

}  // namespace onshi::web
