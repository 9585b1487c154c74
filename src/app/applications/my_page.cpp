#include "app/applications/my_page.hpp"

#include "app/applications/renewal_applications.hpp"
#include "store/database.hpp"

namespace onshi::app {

MyPage my_page(const Services& s, store::Id institution_id) {
  MyPage p;
  s.db.read([&](store::ReadTx& tx) {
    p.usage_applications = tx.usage_applications().usage_applications_of(institution_id);
    p.certificate_applications =
        tx.certificate_applications().certificate_applications_of(institution_id);
    p.certificates = tx.certificates().certificates_of(institution_id);
    p.any_renewable =
        !renewable_among(p.certificates,
                         tx.certificate_applications().numbers_being_renewed(institution_id),
                         s.now_ms())
             .empty();
    for (const auto& a : p.certificate_applications) {
      if (auto l = tx.letters().notice_letter_of(a.id)) p.letters[a.id] = *l;
    }
  });
  return p;
}

}  // namespace onshi::app
