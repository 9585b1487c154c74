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
    }
  });
  return p;
}

}  // namespace onshi::app
