#pragma once
// The error of a result that must hold one. Reading .error() of a result that holds a value is
// undefined behaviour, not a failing test; this throws instead, which GoogleTest reports as a
// failure of the test that expected a refusal.
#include <expected>
#include <stdexcept>

namespace onshi::test {

template <class T, class E>
const E& error_of(const std::expected<T, E>& r) {
  if (r.has_value()) throw std::logic_error("expected an error, but the result holds a value");
  return r.error();
}

// A temporary result gives its error by value, so that nothing refers into the dead result.
template <class T, class E>
E error_of(std::expected<T, E>&& r) {
  if (r.has_value()) throw std::logic_error("expected an error, but the result holds a value");
  return std::move(r).error();
}

}  // namespace onshi::test
