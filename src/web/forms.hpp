#pragma once
// application/x-www-form-urlencoded and query strings, strictly: a malformed escape or bytes that
// are not UTF-8 make the whole form unreadable rather than half-read.
#include <expected>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onshi::web {

enum class FormError { malformed_escape, invalid_utf8, too_many_fields };

// More fields than any page sends is a flood, refused before anything is stored. The largest form
// is the issue form: a CSR box for each of up to 99 certificates, its token and its action.
inline constexpr std::size_t kMaxFormFields = 128;

class Form {
 public:
  static std::expected<Form, FormError> parse(std::string_view encoded);
  // The value of `name` (the first one if repeated), or "" when absent.
  const std::string& get(const std::string& name) const;
  // Every value of `name` in the order sent (checkboxes of one name), or none.
  const std::vector<std::string>& all(const std::string& name) const;
  bool has(const std::string& name) const { return fields_.contains(name); }

 private:
  std::map<std::string, std::vector<std::string>> fields_;
};

// Percent-decoding ('+' is a space). Empty optional on a malformed escape.
std::optional<std::string> url_decode(std::string_view s);
std::string url_encode(std::string_view s);

}  // namespace onshi::web
