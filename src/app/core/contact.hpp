#pragma once
// The contact block (config [contact]) as template data, so that every page, mail and letter
// renders the same desk the same way.
#include "app/core/config.hpp"
#include "util/templates.hpp"

namespace onshi::app {

// name, phone, phone_uri ("tel:0120000000"), hours, email.
util::TemplateData contact_data(const Config::Contact& c);

}  // namespace onshi::app
