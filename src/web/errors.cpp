#include "web/errors.hpp"

#include "web/problem.hpp"

namespace onshi::web {

int http_status(app::FailureCode c) {
  switch (c) {
    case app::FailureCode::invalid:
      return 422;
    case app::FailureCode::unauthenticated:
      return 401;
    case app::FailureCode::forbidden:
      return 403;
    case app::FailureCode::not_found:
      return 404;
    case app::FailureCode::conflict:
      return 409;
    case app::FailureCode::throttled:
      return 429;
    case app::FailureCode::unavailable:
      return 503;
  }
  return 500;
}

std::string_view problem_type(app::FailureCode c) {
  switch (c) {
    case app::FailureCode::invalid:
      return "validation";
    case app::FailureCode::unauthenticated:
      return "unauthenticated";
    case app::FailureCode::forbidden:
      return "forbidden";
    case app::FailureCode::not_found:
      return "not-found";
    case app::FailureCode::conflict:
      return "conflict";
    case app::FailureCode::throttled:
      return "throttled";
    case app::FailureCode::unavailable:
      return "unavailable";
  }
  return "internal";
}

namespace {

std::string api_code(std::string_view key) {
  const auto dot = key.rfind('.');
  std::string code(dot == std::string_view::npos ? key : key.substr(dot + 1));
  for (auto& c : code) {
    if (c == '_') c = '-';
  }
  return code;
}

}  // namespace

Response failure_problem(Ctx& ctx, const app::Failure& f) {
  const int status = http_status(f.code);
  const auto type = problem_type(f.code);
  const auto& path = ctx.request().path;
  if (f.code == app::FailureCode::invalid) {
    return problem(ctx.services(), status, type, path, {}, f.fields);
  }
  if (f.code == app::FailureCode::not_found) return problem(ctx.services(), status, type, path);
  return problem(ctx.services(), status, type, path, ctx.message(f.key), {}, api_code(f.key));
}

Response failure_page(Ctx& ctx, const app::Failure& f, const std::string& template_name,
                      const std::string& title) {
  util::TemplateData d;
  d.set("message", ctx.message(f.key));
  return ctx.page(http_status(f.code), template_name, title, d);
}

}  // namespace onshi::web
