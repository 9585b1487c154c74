// libFuzzer target: JSON API bodies (web/json_parse.cpp), bounded in size, depth and values before
// any of it becomes a tree. Small limits here let the fuzzer reach them with short inputs.
#include <cmath>
#include <vector>

#include "fuzz_check.hpp"
#include "web/json_parse.hpp"

using onshi::fuzz::require;

namespace {

// The tree's depth and number of values, counted without recursion (what the limits promise).
void measure(const nlohmann::json& root, int& depth, std::size_t& values, bool& finite) {
  std::vector<std::pair<const nlohmann::json*, int>> todo{{&root, 1}};
  depth = 0;
  values = 0;
  finite = true;
  while (!todo.empty()) {
    const auto [node, level] = todo.back();
    todo.pop_back();
    ++values;
    if (node->is_number_float() && !std::isfinite(node->get<double>())) finite = false;
    if (node->is_structured()) {
      depth = std::max(depth, level);
      for (const auto& child : *node) todo.emplace_back(&child, level + 1);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace onshi::web;
  const JsonLimits limits{.max_bytes = 2048, .max_depth = 6, .max_values = 64};
  const auto parsed = parse_json_object(onshi::fuzz::bytes(data, size), limits);
  if (!parsed) {
    if (parsed.error() == JsonBodyError::too_large) require(size > limits.max_bytes);
    return 0;
  }
  require(size <= limits.max_bytes && parsed->is_object());
  int depth = 0;
  std::size_t values = 0;
  bool finite = true;
  measure(*parsed, depth, values, finite);
  require(depth <= limits.max_depth && values <= limits.max_values);
  // What was kept prints and reads back as itself (a handler may log or store it); 1e400 reads as
  // infinity, which JSON cannot write (it prints null), so such a body is not compared.
  if (!finite) return 0;
  const auto printed = parsed->dump();
  const auto again =
      parse_json_object(printed, {.max_bytes = printed.size(), .max_depth = 6, .max_values = 64});
  require(again && *again == *parsed);
  return 0;
}
