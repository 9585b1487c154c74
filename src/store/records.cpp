#include "store/records.hpp"

namespace onshi::store {

std::string_view key_source_name(KeySource k) {
  return k == KeySource::generated ? "generated" : "csr";
}

std::string_view application_kind_name(ApplicationKind k) {
  return k == ApplicationKind::renewal ? "renewal" : "new";
}

std::string_view pickup_closed_name(PickupClosed how) {
  switch (how) {
    case PickupClosed::completed:
      return "completed";
    case PickupClosed::lapsed:
      return "lapsed";
    case PickupClosed::replaced:
      return "replaced";
    case PickupClosed::voided:
      return "voided";
    case PickupClosed::expired:
      return "expired";
  }
  return "completed";
}

}  // namespace onshi::store
