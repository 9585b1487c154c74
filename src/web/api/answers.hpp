#pragma once
// What every JSON API answer shares (api/*.cpp): the body's media type, never cached, and times
// as ISO 8601 in UTC.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string>

#include "store/records.hpp"
#include "util/clock.hpp"
#include "web/http.hpp"

namespace onshi::web::api {

inline Response ok_json(int status, const nlohmann::json& body) {
  Response r = Response::text(status, "application/json; charset=utf-8", body.dump());
  r.header("Cache-Control", "no-store");
  return r;
}

inline std::string iso_utc(store::Millis ms) {
  return fmt::format("{:%FT%TZ}", std::chrono::floor<std::chrono::seconds>(
                                      util::TimePoint{std::chrono::milliseconds{ms}}));
}

}  // namespace onshi::web::api
