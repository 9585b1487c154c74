#include "app/applications/my_certificates.hpp"

#include <algorithm>

#include "app/ca/pickup.hpp"
#include "app/core/dates_shown.hpp"
#include "app/core/form_values.hpp"
#include "store/database.hpp"

namespace onshi::app {

std::string_view pickup_stage_key(PickupStage stage) {
  switch (stage) {
    case PickupStage::waiting:
      return "waiting";
    case PickupStage::window_over:
      return "window_over";
    case PickupStage::locked:
      return "locked";
    case PickupStage::picked_up:
      return "picked_up";
    case PickupStage::closed:
      return "closed";
  }
  return "waiting";
}

PickupStage pickup_stage(const Services& s, const store::CertificateRow& c, store::Millis now) {
  // A pickup closed unused (its window ended) is a deadline missed, not a 受取.
  if (c.pickup_closed_at) return c.picked_up_at ? PickupStage::closed : PickupStage::window_over;
  if (c.pickup_locked) return PickupStage::locked;
  if (!c.picked_up_at) {
    return now >= c.pickup_expires_at || now >= c.not_after ? PickupStage::window_over
                                                            : PickupStage::waiting;
  }
  // Past the re-download days the code no longer works, even before the sweeper has run.
  return now >= pickup_usable_until(s, c.pickup_expires_at, c.picked_up_at)
             ? PickupStage::closed
             : PickupStage::picked_up;
}

std::string pickup_label(const Services& s, const store::CertificateRow& c, store::Millis now) {
  const auto stage = pickup_stage(s, c, now);
  const std::string key = "mypage.pickup." + std::string(pickup_stage_key(stage));
  if (stage != PickupStage::picked_up || !c.picked_up_at) return s.messages.get(key);
  return s.messages.format(key, {date_shown(s.messages, date_in_japan(*c.picked_up_at))});
}

domain::CertificateState state_today(const store::CertificateRow& c, store::Millis now) {
  const bool in_use =
      c.status == domain::CertificateState::issued || c.status == domain::CertificateState::active;
  return in_use && now >= c.not_after ? domain::CertificateState::expired : c.status;
}

store::CertificateRow certificate_row(const store::CertificateRecord& c, int downloads) {
  store::CertificateRow r;
  r.serial_hex = c.serial_hex;
  r.terminal = c.terminal;
  r.status = c.status;
  r.not_after = c.not_after;
  r.issuance_number = c.issuance_number;
  r.not_before = c.not_before;
  r.picked_up_at = c.picked_up_at;
  r.pickup_closed_at = c.pickup_closed_at;
  r.pickup_expires_at = c.pickup_expires_at;
  r.downloads = downloads;
  r.pickup_locked = c.pickup_locked_at.has_value();
  r.revoked_at = c.revoked_at;
  r.revocation_reason = c.revocation_reason;
  r.invalidity_date = c.invalidity_date;
  return r;
}

std::vector<store::CertificateRow> my_certificate_rows(const Services& s,
                                                       store::Id institution_id) {
  return s.db.read(
      [&](store::ReadTx& tx) { return tx.certificates().certificates_of(institution_id); });
}

std::optional<MyCertificate> my_certificate(const Services& s, store::Id institution_id,
                                            std::string_view number) {
  const auto n = normalize_issuance_number(number);
  if (n.empty()) return std::nullopt;
  return s.db.read([&](store::ReadTx& tx) -> std::optional<MyCertificate> {
    auto current = tx.certificates().find_current_certificate(n);
    if (!current || current->institution_id != institution_id) return std::nullopt;
    MyCertificate m;
    m.current = *current;
    m.generations = tx.certificates().generations_of(n);
    for (const auto& g : m.generations) {
      const auto d = tx.certificates().downloads_of(g.id);
      m.downloads.insert(m.downloads.end(), d.begin(), d.end());
    }
    std::ranges::stable_sort(m.downloads, {}, &store::CertificateDownload::downloaded_at);
    // マイページ counts the current generation's downloads; so does its page.
    const auto current_downloads =
        std::ranges::count(m.downloads, current->id, &store::CertificateDownload::certificate_id);
    m.row = certificate_row(*current, static_cast<int>(current_downloads));
    m.usable_until = pickup_usable_until(s, current->pickup_expires_at, current->picked_up_at);
    return m;
  });
}

}  // namespace onshi::app
