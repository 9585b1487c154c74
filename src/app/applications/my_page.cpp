#include "app/applications/my_page.hpp"

#include "store/database.hpp"

namespace onshi::app {

MyPage my_page(const Services& s, store::Id institution_id) {
  MyPage p;
  s.db.read([&](store::ReadTx& tx) {
    p.usage_applications = tx.usage_applications().usage_applications_of(institution_id);
    p.certificate_applications =
        tx.certificate_applications().certificate_applications_of(institution_id);
    p.certificates = tx.certificates().certificates_of(institution_id);
    for (const auto& a : p.certificate_applications) {
      if (auto l = tx.letters().notice_letter_of(a.id)) p.letters[a.id] = *l;
      for (const auto& c : tx.certificates().certificates_of_application(a.id)) {
        p.issuance_numbers[c.serial_hex] = c.issuance_number;
      }
    }
  });
  return p;
}

}  // namespace onshi::app
