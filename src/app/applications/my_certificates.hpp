#pragma once
// マイページ's 電子証明書: how each certificate of the institution stands (its status as it is
// today and where its 受取 is), and one certificate's page with its downloads and generations.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/core/services.hpp"
#include "domain/certificate_state.hpp"
#include "store/records.hpp"

namespace onshi::app {

// Where a certificate's 受取 stands, in the order a clinic meets them.
enum class PickupStage {
  waiting,      // 未取得: the letter's code works until the pickup deadline
  window_over,  // 未取得 and the deadline passed: a new letter is needed
  locked,       // too many wrong codes: the desk unlocks it
  picked_up,    // 取得済: the code works again until the re-download deadline
  closed,       // 受取完了: the code no longer works, the CA holds no key
};
// "waiting", ...: the catalogue's mypage.pickup.<key>.
std::string_view pickup_stage_key(PickupStage stage);

PickupStage pickup_stage(const Services& s, const store::CertificateRow& c, store::Millis now);
// The 取得 column's words for it (mypage.pickup.*): 未取得, 取得済（date of the first download）,
// ...
std::string pickup_label(const Services& s, const store::CertificateRow& c, store::Millis now);
// A stored certificate as マイページ lists it, with its `downloads` counted.
store::CertificateRow certificate_row(const store::CertificateRecord& c, int downloads);
// The status as it is today: a certificate past its notAfter is 期限切れ even before anything
// marks it so.
domain::CertificateState state_today(const store::CertificateRow& c, store::Millis now);

// マイページ's list alone (the JSON API's GET /api/v1/certificates): the current certificate of
// each 発行番号, by terminal.
std::vector<store::CertificateRow> my_certificate_rows(const Services& s, store::Id institution_id);

// One certificate's page.
struct MyCertificate {
  store::CertificateRow row;         // as マイページ lists it
  store::CertificateRecord current;  // the number's current generation
  // Every generation of the number, oldest first: a generated key replaced by the terminal's CSR
  // (superseded) or a certificate re-enrolled (renewed) comes before what replaced it.
  std::vector<store::CertificateRecord> generations;
  std::vector<store::CertificateDownload> downloads;  // of every generation, oldest first
  store::Millis usable_until = 0;  // until when the code works (the window or the re-download days)
};
// The institution's certificate of this 発行番号 (typed loosely); nothing for an unknown number or
// another institution's, which look the same.
std::optional<MyCertificate> my_certificate(const Services& s, store::Id institution_id,
                                            std::string_view number);

}  // namespace onshi::app
