#pragma once
// 受取 as the desk sees it: a number's current certificate with its application, its downloads
// and until when its code works, for the back office's 取得ロックを解除 and `onshi admin
// certificates show`. The unlock itself is app::unlock_pickup (app/ca/pickup.hpp).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/core/services.hpp"
#include "store/records.hpp"

namespace onshi::app {

struct PickupRecord {
  store::CertificateRecord certificate;  // the number's current generation, or the serial's
  std::string application_number;        // C-XXXXXXXX
  std::string institution_name;          // as the application names it
  std::string institution_code;
  std::vector<store::CertificateDownload> downloads;  // oldest first
  store::Millis usable_until = 0;
};
// Any institution's certificate of this 発行番号 (its current one) or serial (any generation; as
// the pages, openssl or the database write it), typed loosely; nothing when there is none.
std::optional<PickupRecord> pickup_record(const Services& s, std::string_view number);

}  // namespace onshi::app
