// libFuzzer target: application/x-www-form-urlencoded bodies and query strings (web/forms.cpp),
// which every POST and every URL with a query goes through before anything else reads it.
#include <string>

#include "fuzz_check.hpp"
#include "util/text.hpp"
#include "web/forms.hpp"

using onshi::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace onshi::web;
  const auto in = onshi::fuzz::bytes(data, size);

  // Percent-decoding is undone by encoding: what url_encode writes decodes to what it was given.
  if (const auto decoded = url_decode(in)) {
    const auto again = url_decode(url_encode(*decoded));
    require(again && *again == *decoded);
  }

  std::size_t pieces = 0;
  for (std::size_t from = 0; from <= in.size();) {
    const auto amp = std::min(in.find('&', from), in.size());
    if (amp > from) ++pieces;
    from = amp + 1;
  }
  const auto form = Form::parse(in);
  if (!form) {
    if (form.error() == FormError::too_many_fields) require(pieces > kMaxFormFields);
    return 0;
  }
  // A flood is never half-read, and what a page reads is UTF-8 (the templates and the database
  // take it as such).
  require(pieces <= kMaxFormFields);
  const auto first = in.substr(0, std::min(in.find('&'), in.find('=')));
  if (const auto name = url_decode(first)) {
    require(onshi::util::is_valid_utf8(form->get(*name)));
    for (const auto& v : form->all(*name)) require(onshi::util::is_valid_utf8(v));
    require(form->all(*name).empty() != form->has(*name) || name->empty());
  }
  return 0;
}
