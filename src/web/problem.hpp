#pragma once
// RFC 9457 problem details for the JSON API (application/problem+json).
#include <string>
#include <string_view>

#include "app/core/services.hpp"
#include "web/http.hpp"

namespace onshi::web {

// `type` is one of the names in docs/api.md ("validation", "not-found", ...); its title comes from
// the message catalogue (problem.TYPE).
Response problem(const app::Services& s, int status, std::string_view type,
                 std::string_view instance, std::string_view detail = {},
                 const app::FieldErrors& errors = {}, std::string_view code = {});

// The problem type for an HTTP status the site answers by itself (404, 405, 413, 500 ...).
std::string_view problem_type_for(int status);

}  // namespace onshi::web
