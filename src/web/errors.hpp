#pragma once
// The one place a use case's Failure becomes an answer: its HTTP status, its RFC 9457 problem for
// the API, or its Japanese page for the portal and the back office. A new page or endpoint gets
// both by passing the failure here.
#include <string_view>

#include "app/core/failure.hpp"
#include "web/context.hpp"

namespace onshi::web {

int http_status(app::FailureCode c);
// The problem type of docs/api.md ("validation", "not-found", ...).
std::string_view problem_type(app::FailureCode c);

// An application/problem+json answer: a validation problem lists the fields; a refusal says why
// in `detail` and, for programs, in `code` (the key's last part: "usage.already_started" →
// "already-started"). A not-found says nothing more, so that another institution's number looks
// exactly like a number nobody has.
Response failure_problem(Ctx& ctx, const app::Failure& f);

// A refusal that is not about fields, on page `template_name` (which shows `message`).
Response failure_page(Ctx& ctx, const app::Failure& f, const std::string& template_name,
                      const std::string& title);

}  // namespace onshi::web
