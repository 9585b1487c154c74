#include "app/core/contact.hpp"

namespace onshi::app {

util::TemplateData contact_data(const Config::Contact& c) {
  util::TemplateData d;
  d.set("name", c.name);
  d.set("phone", c.phone);
  // A phone taps to call on a phone: tel: takes the digits (and a leading +) only.
  std::string digits;
  for (const char ch : c.phone) {
    if ((ch >= '0' && ch <= '9') || (ch == '+' && digits.empty())) digits.push_back(ch);
  }
  d.set("phone_uri", "tel:" + digits);
  d.set("hours", c.hours);
  d.set("email", c.email);
  return d;
}

}  // namespace onshi::app
