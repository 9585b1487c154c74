#include "app/office/pickup_desk.hpp"

#include "app/ca/pickup.hpp"
#include "app/ca/revocation_steps.hpp"
#include "store/database.hpp"
#include "util/text.hpp"

namespace onshi::app {

std::optional<PickupRecord> pickup_record(const Services& s, std::string_view number) {
  if (util::trim(number).empty()) return std::nullopt;
  return s.db.read([&](store::ReadTx& tx) -> std::optional<PickupRecord> {
    auto c = revocation::find_typed(tx.certificates(), number);
    if (!c) return std::nullopt;
    PickupRecord r;
    if (auto a =
            tx.certificate_applications().find_certificate_application_by_id(c->application_id)) {
      r.application_number = a->number;
      r.institution_name = a->institution_name;
      r.institution_code = a->institution_code;
    }
    r.downloads = tx.certificates().downloads_of(c->id);
    r.usable_until = pickup_usable_until(s, c->pickup_expires_at, c->picked_up_at);
    r.certificate = std::move(*c);
    return r;
  });
}

}  // namespace onshi::app
