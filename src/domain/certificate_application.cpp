#include "domain/certificate_application.hpp"

namespace onshi::domain {

using State = CertificateApplicationState;
using Error = CertificateApplicationError;

std::string_view error_key(CertificateApplicationError error) {
  switch (error) {
    case Error::not_applied:
      return "certificate_application.not_applied";
    case Error::not_under_review:
      return "certificate_application.not_under_review";
    case Error::not_returned:
      return "certificate_application.not_returned";
    case Error::not_approved:
      return "certificate_application.not_approved";
    case Error::not_issued:
      return "certificate_application.not_issued";
    case Error::too_late_to_cancel:
      return "certificate_application.too_late_to_cancel";
  }
  return "certificate_application.invalid";
}

std::string_view state_key(CertificateApplicationState state) {
  switch (state) {
    case State::applied:
      return "applied";
    case State::under_review:
      return "under_review";
    case State::returned:
      return "returned";
    case State::rejected:
      return "rejected";
    case State::approved:
      return "approved";
    case State::issued:
      return "issued";
    case State::notice_sent:
      return "notice_sent";
    case State::cancelled:
      return "cancelled";
  }
  return "";
}

namespace {
CertificateApplicationResult move(State from, State required, State to, Error otherwise) {
  if (from != required) return std::unexpected(otherwise);
  return to;
}
}  // namespace

CertificateApplicationResult start_review(State from) {
  return move(from, State::applied, State::under_review, Error::not_applied);
}
CertificateApplicationResult approve(State from) {
  return move(from, State::under_review, State::approved, Error::not_under_review);
}
CertificateApplicationResult return_for_correction(State from) {
  return move(from, State::under_review, State::returned, Error::not_under_review);
}
CertificateApplicationResult reject(State from) {
  return move(from, State::under_review, State::rejected, Error::not_under_review);
}
CertificateApplicationResult resubmit(State from) {
  return move(from, State::returned, State::applied, Error::not_returned);
}
CertificateApplicationResult issue(State from) {
  return move(from, State::approved, State::issued, Error::not_approved);
}
CertificateApplicationResult record_notice_sent(State from) {
  return move(from, State::issued, State::notice_sent, Error::not_issued);
}

std::optional<State> parse_state(std::string_view key) {
  for (const auto st : {State::applied, State::under_review, State::returned, State::rejected,
                        State::approved, State::issued, State::notice_sent, State::cancelled}) {
    if (state_key(st) == key) return st;
  }
  return std::nullopt;
}

bool can_cancel(State state) {
  // Once approved, certificates are (about to be) issued and charged; revocation is the way out.
  return state == State::applied || state == State::under_review || state == State::returned;
}

bool can_decide(State state) {
  // 申請済 is taken through 審査中 in the same step (app/review.cpp).
  const auto reviewing =
      state == State::applied ? start_review(state) : CertificateApplicationResult(state);
  return reviewing && approve(*reviewing).has_value();
}

bool awaits_applicant(State state) {
  return resubmit(state).has_value();
}

bool notice_letter_expected(State state) {
  return state != State::rejected && state != State::cancelled;
}

CertificateApplicationResult cancel(State from) {
  if (!can_cancel(from)) return std::unexpected(Error::too_late_to_cancel);
  return State::cancelled;
}

}  // namespace onshi::domain
