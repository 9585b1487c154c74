#include "domain/usage_application.hpp"

namespace onshi::domain {

using State = UsageApplicationState;
using Error = UsageApplicationError;

std::string_view error_key(UsageApplicationError error) {
  switch (error) {
    case Error::not_editing:
      return "usage_application.not_editing";
    case Error::not_confirming:
      return "usage_application.not_confirming";
    case Error::target_not_finalized:
      return "usage_application.target_not_finalized";
  }
  return "usage_application.invalid";
}

std::string_view state_key(UsageApplicationState state) {
  switch (state) {
    case State::editing:
      return "editing";
    case State::confirming:
      return "confirming";
    case State::finalized:
      return "finalized";
  }
  return "";
}

UsageApplication start_usage_application() {
  return UsageApplication{};
}

std::expected<UsageApplication, UsageApplicationError> start_change_application(
    UsageApplicationId target_id, UsageApplicationState target_state) {
  // Changing an application still being edited would fork it; edit that one instead.
  if (target_state != State::finalized) return std::unexpected(Error::target_not_finalized);
  return UsageApplication{State::editing, target_id};
}

std::expected<State, Error> confirm(State from) {
  if (from != State::editing) return std::unexpected(Error::not_editing);
  return State::confirming;
}

std::expected<State, Error> back_to_editing(State from) {
  if (from != State::confirming) return std::unexpected(Error::not_confirming);
  return State::editing;
}

std::expected<State, Error> finalize(State from) {
  if (from != State::confirming) return std::unexpected(Error::not_confirming);
  return State::finalized;
}

}  // namespace onshi::domain
