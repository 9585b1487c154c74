#pragma once
// What the `onshi admin …` commands share: the operator named by --operator, and a refusal said
// in the catalogue's words on stderr with exit status 2.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <string>

#include "app/core/failure.hpp"
#include "app/office/operators.hpp"
#include "app/office/review.hpp"
#include "cli/runtime.hpp"

namespace onshi::cli {

inline app::Actor operator_actor(Runtime& rt, const std::string& login) {
  auto a = app::cli_actor(rt.services(), login);
  if (!a) {
    std::cerr << "no active operator with login '" << login << "'\n";
    throw CLI::RuntimeError(2);
  }
  return *a;
}

[[noreturn]] inline void fail(Runtime& rt, const app::Failure& f) {
  const auto& m = rt.services().messages;
  if (f.key == app::review_error_key(app::ReviewError::bad_csr) && f.item > 0) {
    std::cerr << fmt::format(fmt::runtime(m.get("review.bad_csr_at")), f.item);
  } else {
    std::cerr << m.get(f.key);
  }
  if (!f.detail_key.empty()) std::cerr << ' ' << m.get(f.detail_key);
  std::cerr << '\n';
  throw CLI::RuntimeError(2);
}

}  // namespace onshi::cli
