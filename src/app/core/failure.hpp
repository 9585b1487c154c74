#pragma once
// The one failure type of every use case (compare Boulder's berrors): what went wrong, as a code
// the web layer maps to an HTTP status and problem type in one place (web/errors.hpp), and the
// message catalogue key that says it in Japanese. A failure a user can cause is returned, never
// thrown.
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace onshi::app {

// A field and the message key of what is wrong with it, for the form to show beside the field.
struct FieldError {
  std::string field;
  std::string key;
  std::vector<std::string> args{};  // fill the message's {} placeholders (Messages::format)
};
using FieldErrors = std::vector<FieldError>;

enum class FailureCode {
  invalid,          // what was typed or sent is wrong; `fields` says where
  unauthenticated,  // wrong credentials, or a link that is unknown, used or expired
  forbidden,        // this actor may not do this
  not_found,        // no such thing for this actor (another institution's looks the same)
  conflict,         // the state does not allow it, or someone else acted first
  throttled,        // too many attempts: wait
  unavailable,      // a part the action needs is not there (no CA key loaded)
};
// Every code, for the catalogue test and the mapping's test.
inline constexpr FailureCode kFailureCodes[] = {
    FailureCode::invalid,     FailureCode::unauthenticated, FailureCode::forbidden,
    FailureCode::not_found,   FailureCode::conflict,        FailureCode::throttled,
    FailureCode::unavailable,
};
// "invalid", "not_found", …: the catalogue's generic message is failure.<name>.
std::string_view failure_code_name(FailureCode c);

struct Failure {
  FailureCode code;
  std::string key;         // catalogue key of the message for the whole action
  FieldErrors fields;      // invalid: what is wrong beside which field
  std::string detail_key;  // a key refining `key` (e.g. csr.weak_key under review.bad_csr)
  int item = 0;            // 1-based: which of several things (e.g. certificates) it concerns

  // Bad fields; `key` is the message above the form.
  static Failure invalid(FieldErrors fields, std::string key = "failure.invalid") {
    return {FailureCode::invalid, std::move(key), std::move(fields), {}, 0};
  }
  static Failure of(FailureCode code, std::string key) { return {code, std::move(key), {}, {}, 0}; }
  static Failure of(FailureCode code) {
    return of(code, "failure." + std::string(failure_code_name(code)));
  }

  bool is(FailureCode c) const { return code == c; }
};

template <class T = void>
using Result = std::expected<T, Failure>;

}  // namespace onshi::app
