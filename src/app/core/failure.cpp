#include "app/core/failure.hpp"

namespace onshi::app {

std::string_view failure_code_name(FailureCode c) {
  switch (c) {
    case FailureCode::invalid:
      return "invalid";
    case FailureCode::unauthenticated:
      return "unauthenticated";
    case FailureCode::forbidden:
      return "forbidden";
    case FailureCode::not_found:
      return "not_found";
    case FailureCode::conflict:
      return "conflict";
    case FailureCode::throttled:
      return "throttled";
    case FailureCode::unavailable:
      return "unavailable";
  }
  return "invalid";
}

}  // namespace onshi::app
