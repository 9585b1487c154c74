#pragma once
// Public reference data the certificate form's script reads: 市区町村 of a prefecture and what a
// 郵便番号 says. Registered with the certificate application's routes.
#include "web/site.hpp"

namespace onshi::web {

void add_reference_routes(Routes& routes);

}  // namespace onshi::web
