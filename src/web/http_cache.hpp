#pragma once
// HTTP caching of documents that are signed once and valid until a known time (CRLs, and OCSP
// responses per RFC 5019): the validators and freshness headers, and conditional GET.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "web/http.hpp"

namespace onshi::web {

// IMF-fixdate (RFC 9110 5.6.7): "Sun, 06 Nov 1994 08:49:37 GMT".
std::string http_date(std::chrono::system_clock::time_point t);
// IMF-fixdate only (the obsolete forms are refused: nothing answers 304 on a guess).
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

struct Cacheable {
  std::string etag;  // with its quotes: "\"42\""
  std::chrono::system_clock::time_point last_modified;
  std::chrono::system_clock::time_point expires;  // never cached past it
};

// ETag, Last-Modified, Expires and Cache-Control: public, max-age = the seconds left until
// `expires` (0 once it has passed).
void add_cache_headers(Response& r, const Cacheable& c, std::chrono::system_clock::time_point now);

// RFC 9110 13.1.2 and 13.1.3: If-None-Match (weak comparison, "*" or a list) decides when sent;
// otherwise If-Modified-Since, when the document has not changed since that date.
bool not_modified(const Request& r, const Cacheable& c);

}  // namespace onshi::web
